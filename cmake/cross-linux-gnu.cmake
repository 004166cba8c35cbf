# Shared by the cross toolchain files: Debian's <arch>-linux-gnu compilers,
# their sysroot, and qemu-user to run what they build. The including file
# sets GORT_CROSS_ARCH, the GNU triple's CPU (aarch64, riscv64,
# powerpc64le), and, where they differ from it, GORT_CROSS_PROCESSOR (the
# CMAKE_SYSTEM_PROCESSOR, as uname -m says it: ppc64le) and GORT_CROSS_QEMU
# (qemu-user's name for the CPU: qemu-ppc64le).
if(NOT DEFINED GORT_CROSS_PROCESSOR)
  set(GORT_CROSS_PROCESSOR ${GORT_CROSS_ARCH})
endif()
if(NOT DEFINED GORT_CROSS_QEMU)
  set(GORT_CROSS_QEMU ${GORT_CROSS_ARCH})
endif()
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${GORT_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${GORT_CROSS_ARCH}-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER ${GORT_CROSS_ARCH}-linux-gnu-g++)
set(CMAKE_ASM_COMPILER ${GORT_CROSS_ARCH}-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${GORT_CROSS_ARCH}-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)  # never the host's /usr/include
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${GORT_CROSS_QEMU};-L;/usr/${GORT_CROSS_ARCH}-linux-gnu)
