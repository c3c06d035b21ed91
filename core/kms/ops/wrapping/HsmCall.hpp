#pragma once
// Every HSM call of the wrapping code: an HSM that cannot be reached says so, naming the
// instance, so that an operator tells "the HSM is down" from "this key is wrong".
#include <fmt/format.h>

#include <string_view>

#include "kms/Exception.hpp"
#include "kms/hsm/DriverInstance.hpp"

namespace kms::ops::wrapping {

template <class Fn>
auto hsmCall(const hsm::DriverInstance& instance, Fn fn) {
  try {
    return fn();
  } catch (const Exception& e) {
    if (e.code() != ErrorCode::Unavailable) throw;
    const std::string_view what = e.what();
    if (what.starts_with("HSM unavailable")) throw;
    throw Exception(ErrorCode::Unavailable, fmt::format("HSM unavailable: {}: {}", instance.name(), what));
  }
}

}  // namespace kms::ops::wrapping
