#define BOOST_TEST_MODULE pancake_tsan
#include <boost/test/unit_test.hpp>
