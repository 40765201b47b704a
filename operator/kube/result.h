// Result<T>: either a T or an Error. Calls that can fail at an I/O edge return
// one instead of throwing, so the failure kind is part of the signature.
#pragma once

#include <stdexcept>
#include <utility>
#include <variant>

#include "kube/error.h"

namespace sluice::kube {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Accessing the wrong alternative is a programming error: throws logic_error.
  T& value() & { check(true); return std::get<0>(v_); }
  const T& value() const& { check(true); return std::get<0>(v_); }
  T&& value() && { check(true); return std::get<0>(std::move(v_)); }
  const Error& error() const { check(false); return std::get<1>(v_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check(bool want_value) const {
    if (ok() != want_value) {
      throw std::logic_error(want_value ? "Result holds an error: " + std::get<1>(v_).to_string()
                                        : "Result holds a value, not an error");
    }
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) throw std::logic_error("Result holds no error");
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace sluice::kube
