#pragma once
// One connection to kmsd: KMIP operations as bare JSON TTLV (POST /kmip/2_1, the form
// Cosmian's clients send) and plain GETs (/version). Every failure becomes a CliError with the
// exit code scripts branch on: ServerRefused when the server answered no, Connection when it
// could not be reached or its certificate was not accepted.
#include <memory>
#include <string>

#include "kms/cli/Config.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace Poco::Net {
class HTTPClientSession;
}

namespace kms::cli {

class KmipClient {
 public:
  explicit KmipClient(Config config);
  ~KmipClient();
  KmipClient(const KmipClient&) = delete;
  KmipClient& operator=(const KmipClient&) = delete;

  // Sends the operation node {"tag": "<Op>", "value": [payload]} and returns the answer's
  // node ("<Op>Response"), or throws.
  kmip::Ttlv call(const kmip::Ttlv& operation);

  // GET `path`: the body of a 200 answer, or throws.
  std::string get(const std::string& path);
  // POST `json` to a REST route of kmsd (/access/grant, ...): the body of a 200 answer, or throws.
  std::string post(const std::string& path, const std::string& json);
  // DELETE `path` (/tokens/<id>): the body of a 200 answer, or throws.
  std::string del(const std::string& path);

  [[nodiscard]] const Config& config() const noexcept { return config_; }

 private:
  Poco::Net::HTTPClientSession& session();
  std::string exchange(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& what, int& status);
  // A REST exchange: the body of a 200 answer; otherwise ServerRefused naming the route.
  std::string rest(const std::string& method, const std::string& path, const std::string& body);

  Config config_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::string basePath_;
};

}  // namespace kms::cli
