# Cross build for riscv64 with Debian's g++-riscv64-linux-gnu; tests run under qemu-user.
set(GORT_CROSS_ARCH riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
