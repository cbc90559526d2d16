# CMake toolchain file: cross-builds ctrd for arm64 (aarch64) on a Debian amd64 host
# (scripts/cross-test.sh, docs/arm64.md). The compiler and the C/C++ runtime come from
# crossbuild-essential-arm64 (/usr/aarch64-linux-gnu); the other libraries from a sysroot of
# unpacked arm64 .debs (scripts/arm64-sysroot.sh), given as -DCTRD_SYSROOT=DIR or in the
# environment variable CTRD_SYSROOT. Not a full sysroot (no C library in it), so no
# CMAKE_SYSROOT: its headers, libraries, CMake packages and pkg-config files are added
# explicitly below.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(NOT CTRD_SYSROOT)
  set(CTRD_SYSROOT "$ENV{CTRD_SYSROOT}")
endif()
if(NOT CTRD_SYSROOT OR NOT IS_DIRECTORY "${CTRD_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: no arm64 sysroot at '${CTRD_SYSROOT}' "
                      "(build it with scripts/arm64-sysroot.sh DIR, pass -DCTRD_SYSROOT=DIR)")
endif()
# try_compile projects (CheckCXXSourceCompiles, FindThreads) read this file again.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CTRD_SYSROOT)

# find_package/find_library/find_path look in the sysroot and the cross libc only; programs
# (ninja, pkg-config) are the host's.
set(CMAKE_FIND_ROOT_PATH "${CTRD_SYSROOT}" /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The sysroot's headers after the cross compiler's own (it has no C library headers).
set(ctrd_sysroot_includes "${CTRD_SYSROOT}/usr/include")
if(IS_DIRECTORY "${CTRD_SYSROOT}/usr/include/aarch64-linux-gnu")
  list(APPEND ctrd_sysroot_includes "${CTRD_SYSROOT}/usr/include/aarch64-linux-gnu")
endif()
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES ${ctrd_sysroot_includes})
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES ${ctrd_sysroot_includes})

# The linker finds the sysroot's libraries and, through -rpath-link, the libraries they
# need in turn (libarchive -> libxml2 -> ICU, ...).
set(ctrd_libdir "${CTRD_SYSROOT}/usr/lib/aarch64-linux-gnu")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-L${ctrd_libdir} -Wl,-rpath-link,${ctrd_libdir}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-L${ctrd_libdir} -Wl,-rpath-link,${ctrd_libdir}")

# pkg_check_modules (libseccomp) reads the sysroot's .pc files, paths prefixed with it.
set(ENV{PKG_CONFIG_LIBDIR} "${ctrd_libdir}/pkgconfig:${CTRD_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${CTRD_SYSROOT}")
set(ENV{PKG_CONFIG_PATH} "")

# With qemu-user installed, CTest (and Catch2's test discovery after each link) runs the
# test binaries under it with the cross C library and the sysroot's libraries: no binfmt.
find_program(CTRD_QEMU_AARCH64 qemu-aarch64-static NO_CMAKE_FIND_ROOT_PATH)
if(CTRD_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${CTRD_QEMU_AARCH64};-L;/usr/aarch64-linux-gnu;-E;LD_LIBRARY_PATH=${ctrd_libdir}")
endif()
