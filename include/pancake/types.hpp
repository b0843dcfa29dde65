// Every data type of the API.
#pragma once

#include <pancake/ids.hpp>
#include <pancake/types/chat_plugin.hpp>
#include <pancake/types/common.hpp>
#include <pancake/types/content.hpp>
#include <pancake/types/conversation.hpp>
#include <pancake/types/customer.hpp>
#include <pancake/types/message.hpp>
#include <pancake/types/results.hpp>
#include <pancake/types/statistics.hpp>
#include <pancake/types/tag.hpp>
#include <pancake/types/time.hpp>
#include <pancake/types/user.hpp>
#include <pancake/types/webhook.hpp>
