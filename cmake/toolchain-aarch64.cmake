# Cross build for aarch64 with Debian's g++-aarch64-linux-gnu; tests run under qemu-user.
set(GORT_CROSS_ARCH aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
