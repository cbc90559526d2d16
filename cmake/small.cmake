# CTRD_SMALL=ON: the device build (issue 16 footprint budget: stripped ctrd-daemon + ctrctl
# <= 4 MiB). Each setting below was measured alone by bench/footprint.sh; the figures are in
# docs/benchmarks.md, "Footprint budget (issue 16)". Included from the top CMakeLists.txt
# before any first-party target exists, so that the IPO default reaches every target.

# Code for size, one section per function and per object so that the linker can drop what
# nothing references (most of the header-only libraries' inline code: CLI11, nlohmann::json,
# msgpack, toml++, CAF's templates).
target_compile_options(ctrd_internal INTERFACE -Os -ffunction-sections -fdata-sections
  -fvisibility-inlines-hidden)
# --gc-sections drops the unreferenced sections, --as-needed the libraries no symbol needs,
# -O1 optimises the hash tables; -s strips (a device keeps no symbols: debug with a
# RelWithDebInfo build of the same commit).
# -z pack-relative-relocs (DT_RELR, glibc >= 2.36: Debian 12) packs the relative relocations
# of the position-independent daemon (290 KiB of .rela.dyn) into a bitmap.
target_link_options(ctrd_internal INTERFACE -Wl,--gc-sections -Wl,--as-needed -Wl,-O1 -s
  -Wl,-z,pack-relative-relocs)

# Link-time optimisation (GCC's, with the Debian toolchain: gcc-ar for the static libraries,
# which CMake picks when IPO is on). Off with -DCTRD_SMALL_LTO=OFF (e.g. a compiler without it).
option(CTRD_SMALL_LTO "CTRD_SMALL: link-time optimisation" ON)
if(CTRD_SMALL_LTO)
  include(CheckIPOSupported)
  check_ipo_supported(RESULT ctrd_ipo_ok OUTPUT ctrd_ipo_output LANGUAGES CXX)
  if(ctrd_ipo_ok)
    set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
    # One LTRANS partition: no function is cloned into several partitions, and inlining
    # sees the whole program (the multi-call ctrd-daemon: -24 KiB; a slower link).
    target_link_options(ctrd_internal INTERFACE -flto-partition=one)
  else()
    message(WARNING "CTRD_SMALL: no link-time optimisation (${ctrd_ipo_output})")
  endif()
endif()

# CTRD_SMALL_STATIC=ON: the daemon's whole C++ closure linked in, for the idle-RSS budget
# (8 MiB; docs/benchmarks.md "Footprint budget"): CAF from static libraries of Debian's own
# source of 0.17.6 (scripts/caf-static.sh builds them; CTRD_CAF_STATIC_DIR is its output),
# LevelDB and snappy from their Debian archives, spdlog, fmt and toml++ header-only. Shared C++
# libraries keep their loader tables resident; linked in, --gc-sections keeps only what
# ctrd calls: 12.3 -> 6.2 MiB. With it CTRD_MULTICALL defaults to ON (the top CMakeLists.txt):
# ctrd-daemon and ctrctl in one file, libstdc++ shared (ctrctl needs it anyway): 3.97 MiB
# of files at 7.3 MiB of idle RSS, both budgets met. With -DCTRD_MULTICALL=OFF, libstdc++ is
# linked into ctrd-daemon as well (5.6 MiB RSS, 5.07 MiB of files).
option(CTRD_SMALL_STATIC "CTRD_SMALL: link the daemon's C++ libraries statically" OFF)
if(CTRD_SMALL_STATIC)
  set(CTRD_CAF_STATIC_DIR "${CMAKE_SOURCE_DIR}/build-caf-static" CACHE PATH
    "CTRD_SMALL_STATIC: the output of scripts/caf-static.sh")
  foreach(part core io)
    set(lib "${CTRD_CAF_STATIC_DIR}/lib/libcaf_${part}_static.a")
    if(NOT EXISTS "${lib}")
      message(FATAL_ERROR "CTRD_SMALL_STATIC: ${lib} is missing: run scripts/caf-static.sh "
        "${CTRD_CAF_STATIC_DIR} first")
    endif()
    set_target_properties(CAF::${part} PROPERTIES IMPORTED_LOCATION "${lib}")
  endforeach()
  find_library(CTRD_LEVELDB_A libleveldb.a REQUIRED)
  find_library(CTRD_SNAPPY_A libsnappy.a REQUIRED)
  set(CTRD_LEVELDB ${CTRD_LEVELDB_A} ${CTRD_SNAPPY_A})
  set_property(TARGET spdlog::spdlog_header_only
    PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads fmt::fmt-header-only)
  set(CTRD_SPDLOG spdlog::spdlog_header_only)
  add_library(ctrd_toml_header_only INTERFACE)
  target_compile_definitions(ctrd_toml_header_only INTERFACE TOML_HEADER_ONLY=1)
  set(CTRD_TOML ctrd_toml_header_only)
endif()
