// make_seeds.py's JSON -> binary TTLV step: `kms_fuzz_ttlv_convert IN OUT [IN OUT]...` writes
// the binary encoding of each JSON TTLV file IN to OUT. A file the decoder refuses is named on
// stderr and skipped (vectors carry placeholders that only the replay fills in).
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "kms/Exception.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 == 0) {
    std::cerr << "usage: kms_fuzz_ttlv_convert IN.json OUT.bin [IN.json OUT.bin]...\n";
    return 2;
  }
  int written = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      const auto bytes = kms::kmip::BinaryCodec::encode(kms::kmip::JsonCodec::decode(json));
      std::ofstream(argv[i + 1], std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      ++written;
    } catch (const kms::Exception& error) {
      std::cerr << argv[i] << ": skipped: " << error.what() << '\n';
    }
  }
  std::cout << written << " binary seeds\n";
  return 0;
}
