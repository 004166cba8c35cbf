// program_seeds DIR: writes every example program (examples.h) into DIR,
// one file per example, in the program fuzz target's input format (a
// fault byte of 0, then encode_program): how fuzz/seeds/program/ is made.
// program_test checks that the files in the repository still match.
#include <cstdio>
#include <fstream>
#include <string>

#include "program/examples.h"
#include "program/program_bytes.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: program_seeds DIR\n");
    return 2;
  }
  for (const gort::harness::Example& e : gort::harness::examples()) {
    std::vector<uint8_t> bytes = gort::harness::encode_program(e.program);
    bytes.insert(bytes.begin(), 0);  // the fuzz target's fault byte: no faults
    const std::string path = std::string(argv[1]) + "/" + e.name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      fprintf(stderr, "program_seeds: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
