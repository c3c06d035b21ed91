#include "kms/hsm/DriverModule.hpp"

#include <utility>

namespace kms::hsm {

DriverModule::DriverModule(boost::dll::shared_library library, const kms_driver_v1* table, std::string path)
    : library_(std::move(library)), table_(table), path_(std::move(path)) {}

}  // namespace kms::hsm
