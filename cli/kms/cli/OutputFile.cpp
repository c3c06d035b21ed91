#include "kms/cli/OutputFile.hpp"

#include "kms/cli/StreamingOutput.hpp"

namespace kms::cli {

OutputFile::OutputFile(std::string path, bool force) : path_(std::move(path)), force_(force) {
  StreamingOutput::checkTarget(path_, force_);
}

void OutputFile::commit(const kms::SecureBytes& data) const {
  commit(data.data(), data.size());
}

void OutputFile::commit(const std::string& text) const {
  commit(text.data(), text.size());
}

void OutputFile::commit(const void* data, std::size_t size) const {
  StreamingOutput output(path_, force_);
  output.write(static_cast<const std::uint8_t*>(data), size);
  output.commit();
}

}  // namespace kms::cli
