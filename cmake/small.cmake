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
  else()
    message(WARNING "CTRD_SMALL: no link-time optimisation (${ctrd_ipo_output})")
  endif()
endif()
