# One sanitizer set for the whole build: mixing instrumented and plain
# objects hides reports (and TSan requires every object instrumented).
if(GORT_SANITIZE)
  add_compile_options(-fsanitize=${GORT_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${GORT_SANITIZE})
endif()
