# CTest: render a real failure's HTML report in headless Chromium and check the PNG is not empty.
# Skipped (exit 77) with a message when chromium is not installed. Included from tests/CMakeLists.txt.
if(TARGET seedbed)
  add_test(NAME "reports: HTML report renders in headless chromium"
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/screenshot_ctest.sh $<TARGET_FILE:seedbed>
                   ${CMAKE_CURRENT_BINARY_DIR}/screenshot_test ${CMAKE_CURRENT_LIST_DIR}/screenshot.sh)
  set_tests_properties("reports: HTML report renders in headless chromium" PROPERTIES
                       SKIP_RETURN_CODE 77 TIMEOUT 180)
endif()
