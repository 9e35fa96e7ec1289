#pragma once
/// @file
/// kasio: a C++20 Apache Kafka client on Boost.Asio. Umbrella header.

/// @namespace kasio
/// Everything kasio offers: kasio::producer, kasio::consumer, kasio::admin, their configurations, records and
/// error codes.
#include <kasio/admin.hpp>
#include <kasio/broker_errc.hpp>
#include <kasio/config.hpp>
#include <kasio/error.hpp>
#include <kasio/log.hpp>
#include <kasio/metadata.hpp>
#include <kasio/producer.hpp>
#include <kasio/version.hpp>
#include <kasio/consumer.hpp>
