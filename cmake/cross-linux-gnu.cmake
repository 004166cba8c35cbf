# Shared by the cross toolchain files: Debian's <arch>-linux-gnu compilers,
# their sysroot, and qemu-user to run what they build. The including file
# sets GORT_CROSS_ARCH (aarch64, riscv64).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${GORT_CROSS_ARCH})
set(CMAKE_C_COMPILER ${GORT_CROSS_ARCH}-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER ${GORT_CROSS_ARCH}-linux-gnu-g++)
set(CMAKE_ASM_COMPILER ${GORT_CROSS_ARCH}-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${GORT_CROSS_ARCH}-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)  # never the host's /usr/include
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${GORT_CROSS_ARCH};-L;/usr/${GORT_CROSS_ARCH}-linux-gnu)
