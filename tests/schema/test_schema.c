#include "../harness.h"
static void test_placeholder(void) { CHECK(1); }
WG_TEST_LIST { WG_TEST(test_placeholder), };
WG_TEST_MAIN()
