// A Program from bytes, and back: the fuzz target's input format.
//
// Every byte string decodes to a valid Program (each byte is read modulo
// what it chooses among; past the end every byte reads as 0), so every
// mutation libFuzzer makes is a program, and a small change of the bytes
// is a small change of the program. encode_program writes the bytes that
// decode to a given valid Program (seeds are written that way).
//
//   goroutines  1 byte   K - 1 = b % 6
//   channels    1 byte   M - 1 = b % 4, then M bytes: capacity b % 4
//   ending      1 byte   b % 2: 0 main returns, 1 main joins (Ending)
//   per goroutine, main first:
//     ops       1 byte   count = b % 13, then that many ops
//   op          1 byte   kind = b % 8 (OpKind order: send recv try_send
//                        try_recv close select yield recover), then
//     send .. close      1 chan byte
//     select             1 byte: cases - 1 = b % 3, default = (b / 3) % 2;
//                        then per case 1 byte: send = b % 2, chan byte b / 2
//     yield              nothing
//     recover            1 byte: count = b % 5, then that many ops (a
//                        recover kind inside reads as yield)
//   chan byte: b % 16 == 15 is the nil channel, else channel (b % 16) % M
//
// What follows the program is the caller's (the fuzz target's schedule).
#ifndef GORT_HARNESS_PROGRAM_PROGRAM_BYTES_H
#define GORT_HARNESS_PROGRAM_PROGRAM_BYTES_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "program/program.h"

namespace gort::harness {

// Reads bytes in order; past the end, every read is 0. Does not own data.
// Invariant: pos_ <= size_.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(data == nullptr ? 0 : size) {}
  uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  size_t consumed() const { return pos_; }
  const uint8_t* rest() const { return data_ + pos_; }
  size_t rest_size() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Postcondition: valid(result).
Program decode_program(ByteReader& in);

// Precondition: valid(p). decode_program of the result gives back p.
std::vector<uint8_t> encode_program(const Program& p);

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_PROGRAM_BYTES_H
