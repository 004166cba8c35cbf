// gort_properties [NAME...]: runs the named properties (all by default)
// and exits 1 if any failed. Names: chan-model, random-programs, replay.
#include <cstdio>
#include <cstring>

#include "property.h"

namespace {

struct Named {
  const char* name;
  bool (*check)();
};

constexpr Named kProperties[] = {
    {"chan-model", gort::properties::chan_model_property},
    {"random-programs", gort::properties::random_programs_property},
    {"replay", gort::properties::replay_property},
};

}  // namespace

int main(int argc, char** argv) {
  bool ok = true;
  for (int i = 1; i < argc; i++) {
    bool known = false;
    for (const Named& p : kProperties) known |= strcmp(argv[i], p.name) == 0;
    if (!known) {
      fprintf(stderr, "gort_properties: no property %s (chan-model, random-programs, replay)\n", argv[i]);
      return 2;
    }
  }
  for (const Named& p : kProperties) {
    bool selected = argc == 1;
    for (int i = 1; i < argc; i++) selected |= strcmp(argv[i], p.name) == 0;
    if (selected) ok &= p.check();
  }
  return ok ? 0 : 1;
}
