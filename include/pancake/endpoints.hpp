// Every endpoint's pure description (see endpoints/context.hpp). client::async_call runs any
// of them; the named client operations are one line each on top.
#pragma once

#include <pancake/endpoints/chat_plugin.hpp>
#include <pancake/endpoints/content.hpp>
#include <pancake/endpoints/conversations.hpp>
#include <pancake/endpoints/customers.hpp>
#include <pancake/endpoints/messages.hpp>
#include <pancake/endpoints/pages.hpp>
#include <pancake/endpoints/statistics.hpp>
#include <pancake/endpoints/tags.hpp>
#include <pancake/endpoints/users.hpp>
