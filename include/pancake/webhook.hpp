// pancake-cpp's webhook half: parse deliveries, receive them over HTTP, keep them (in memory or
// durably), and process each event once in effect. See the comments of each header.
#pragma once

#include <pancake/webhook/dedupe.hpp>
#include <pancake/webhook/event.hpp>
#include <pancake/webhook/file_intake.hpp>
#include <pancake/webhook/intake.hpp>
#include <pancake/webhook/monitor.hpp>
#include <pancake/webhook/processor.hpp>
#include <pancake/webhook/receiver.hpp>
