# cmake -DDIR=path -P reset_corpus.cmake: empties a fuzz target's scratch
# corpus before ctest runs it, so that `make test` fuzzes from the seeds in
# the repository alone and every run of it is the same run.
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
