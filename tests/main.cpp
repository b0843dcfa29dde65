#define BOOST_TEST_MODULE pancake
#include <boost/test/unit_test.hpp>
