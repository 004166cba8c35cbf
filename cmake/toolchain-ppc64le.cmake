# Cross build for ppc64le (POWER8+, ELFv2) with Debian's g++-powerpc64le-linux-gnu;
# tests run under qemu-user (qemu-ppc64le).
set(GORT_CROSS_ARCH powerpc64le)
set(GORT_CROSS_PROCESSOR ppc64le)
set(GORT_CROSS_QEMU ppc64le)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
