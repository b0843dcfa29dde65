// Every endpoint's pure description (see endpoints/context.hpp). client::async_call runs any
// of them; the named client operations are one line each on top.
#pragma once

#include <pancake/endpoints/conversations.hpp>
#include <pancake/endpoints/messages.hpp>
#include <pancake/endpoints/pages.hpp>
#include <pancake/endpoints/tags.hpp>
#include <pancake/endpoints/users.hpp>
