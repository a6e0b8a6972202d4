# CTest: render four real failures' HTML reports in headless Chromium, screenshot them and run the
# page's self-test (tests/reports/screenshot_ctest.sh). Fails, never skips, without chromium: `make
# deps` installs it. Included from tests/CMakeLists.txt.
if(TARGET seedbed)
  add_test(NAME "reports: HTML reports render and respond in headless chromium"
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/screenshot_ctest.sh $<TARGET_FILE:seedbed>
                   ${CMAKE_CURRENT_BINARY_DIR}/screenshot_test ${CMAKE_CURRENT_LIST_DIR}/screenshot.sh)
  set_tests_properties("reports: HTML reports render and respond in headless chromium" PROPERTIES TIMEOUT 240)
endif()
