// kms-loadgen: an HTTP/1.1 keep-alive (or raw binary TTLV) load generator for kmsd benchmarks.
//
// N connections spread over T threads; each thread runs one epoll loop over non-blocking
// sockets, so that the generator stays cheap on a 2-core machine. Each connection has at most
// one request in flight (no pipelining): a new request leaves as soon as the previous answer
// is complete. The run ends after a fixed number of measured requests or a duration, after an
// optional warm-up whose requests are not measured.
//
// Bodies: --body FILE (repeatable, whole file) and/or --bodies FILE (one body per line);
// connections take them round-robin from one shared counter per thread.
// Errors: transport failures, non-2xx statuses, and answers containing a --fail substring.
// Output: one JSON object on stdout (latencies in microseconds), a summary line on stderr.
//
// TLS (--tls, optional --cert/--key for a client certificate, --ca to verify the server):
// OpenSSL 3, non-blocking SSL objects in the same epoll loop. A connection completes its
// handshake before its first request leaves, so the handshake is never inside a measured
// latency (it happens during the warm-up); a reconnection resumes the connection's session.
// --framing ttlv: no HTTP; the body is a binary KMIP message written as is, and the answer is
// its 8-byte TTLV header plus the length the header gives (KMIP over TLS on port 5696). An
// answer that is no ResponseMessage, or one with a batch item whose ResultStatus is not
// Success (0), is an error (--fail substrings do not apply to binary answers).
//
// --sigv4 ACCESS_KEY_ID:SECRET:REGION:SERVICE: every HTTP request is signed with AWS Signature
// Version 4 (content-type, host and x-amz-date signed, as AWS KMS signs XKS calls). The requests
// are signed once, when the run starts: a run lasts far less than the 5 minutes of clock skew
// that SigV4 verifiers accept, and the server verifies every request in full either way.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 9998;
  std::string path = "/kmip/2_1";
  std::string method = "POST";
  std::string contentType = "application/json";
  std::vector<std::string> headers;
  std::vector<std::string> bodies;
  std::vector<std::string> failSubstrings;
  int connections = 1;
  int threads = 1;
  uint64_t requests = 0;      // measured requests (0: use duration)
  double duration = 0;        // seconds (0: use requests)
  double warmup = 0;          // seconds
  double timeout = 30;        // seconds per request
  std::string saveResponses;  // file: one measured response body per line
  std::string label;
  bool ttlv = false;  // --framing ttlv
  bool tls = false;
  std::string cert, key, ca;  // PEM files: client certificate, its key, CA of the server
  std::string sigv4;          // ACCESS_KEY_ID:SECRET:REGION:SERVICE
};

[[noreturn]] void usage(const char* message) {
  if (message) std::fprintf(stderr, "kms-loadgen: %s\n", message);
  std::fprintf(stderr,
               "usage: kms-loadgen --port P [--host H] [--path /kmip/2_1] [--method POST]\n"
               "         (--requests N | --duration S) [--warmup S] [--connections C] [--threads T]\n"
               "         [--body FILE]... [--bodies FILE] [--content-type TYPE] [--header 'K: V']...\n"
               "         [--fail SUBSTRING]... [--timeout S] [--save-responses FILE] [--label TEXT]\n"
               "         [--framing http|ttlv] [--tls [--cert PEM --key PEM] [--ca PEM]]\n"
               "         [--sigv4 ACCESS_KEY_ID:SECRET:REGION:SERVICE]\n");
  std::exit(2);
}

std::string readFile(const std::string& name) {
  std::ifstream in(name, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "kms-loadgen: cannot read %s\n", name.c_str());
    std::exit(2);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--host")
      o.host = next();
    else if (a == "--port")
      o.port = std::atoi(next().c_str());
    else if (a == "--path")
      o.path = next();
    else if (a == "--method")
      o.method = next();
    else if (a == "--content-type")
      o.contentType = next();
    else if (a == "--header")
      o.headers.push_back(next());
    else if (a == "--body")
      o.bodies.push_back(readFile(next()));
    else if (a == "--bodies") {
      std::istringstream in(readFile(next()));
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) o.bodies.push_back(line);
    } else if (a == "--fail")
      o.failSubstrings.push_back(next());
    else if (a == "--connections" || a == "-c")
      o.connections = std::atoi(next().c_str());
    else if (a == "--threads" || a == "-t")
      o.threads = std::atoi(next().c_str());
    else if (a == "--requests" || a == "-n")
      o.requests = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--duration" || a == "-d")
      o.duration = std::atof(next().c_str());
    else if (a == "--warmup")
      o.warmup = std::atof(next().c_str());
    else if (a == "--timeout")
      o.timeout = std::atof(next().c_str());
    else if (a == "--save-responses")
      o.saveResponses = next();
    else if (a == "--label")
      o.label = next();
    else if (a == "--framing") {
      const std::string f = next();
      if (f != "http" && f != "ttlv") usage("--framing is http or ttlv");
      o.ttlv = f == "ttlv";
    } else if (a == "--tls")
      o.tls = true;
    else if (a == "--cert")
      o.cert = next();
    else if (a == "--key")
      o.key = next();
    else if (a == "--ca")
      o.ca = next();
    else if (a == "--sigv4")
      o.sigv4 = next();
    else if (a == "--help" || a == "-h")
      usage(nullptr);
    else
      usage(("unknown argument " + a).c_str());
  }
  if (o.connections < 1) usage("--connections must be >= 1");
  if (o.threads < 1) o.threads = 1;
  if (o.threads > o.connections) o.threads = o.connections;
  if ((o.requests == 0) == (o.duration <= 0)) usage("give exactly one of --requests and --duration");
  if (o.bodies.empty() && o.method == "POST") usage("POST needs --body or --bodies");
  if (o.cert.empty() != o.key.empty()) usage("--cert and --key go together");
  if (!o.tls && (!o.cert.empty() || !o.ca.empty())) usage("--cert, --key and --ca need --tls");
  if (!o.sigv4.empty() && (o.ttlv || std::count(o.sigv4.begin(), o.sigv4.end(), ':') != 3)) {
    usage("--sigv4 is ACCESS_KEY_ID:SECRET:REGION:SERVICE, for HTTP framing");
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// AWS Signature Version 4 (--sigv4)
// ---------------------------------------------------------------------------------------------

std::string hex(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return hex(digest, size);
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

// The headers to add to a request of `body`: X-Amz-Date and Authorization.
std::string sigv4Headers(const Options& o, const std::string& host, const std::string& body) {
  const auto at = [&](int index) {
    std::size_t begin = 0;
    for (int i = 0; i < index; ++i) begin = o.sigv4.find(':', begin) + 1;
    return o.sigv4.substr(begin, o.sigv4.find(':', begin) - begin);
  };
  const std::string accessKeyId = at(0), secret = at(1), region = at(2), service = at(3);
  char amzDate[17];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(amzDate, sizeof amzDate, "%Y%m%dT%H%M%SZ", &utc);
  const std::string date(amzDate, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string canonical = o.method + "\n" + o.path + "\n\n" + "content-type:" + o.contentType + "\nhost:" + host +
                                "\nx-amz-date:" + amzDate + "\n\ncontent-type;host;x-amz-date\n" + sha256Hex(body);
  const std::string toSign = std::string("AWS4-HMAC-SHA256\n") + amzDate + "\n" + scope + "\n" + sha256Hex(canonical);
  const std::string key = hmac(hmac(hmac(hmac("AWS4" + secret, date), region), service), "aws4_request");
  const std::string signature = hmac(key, toSign);
  return std::string("X-Amz-Date: ") + amzDate + "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" +
         scope + ", SignedHeaders=content-type;host;x-amz-date, Signature=" +
         hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size()) + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// Shared run state
// ---------------------------------------------------------------------------------------------

struct Shared {
  const Options* options = nullptr;
  std::vector<std::string> wire;  // full HTTP requests (or TTLV messages), one per body
  sockaddr_in address{};
  SSL_CTX* tls = nullptr;  // --tls
  Clock::time_point measureStart;
  Clock::time_point end;             // duration mode: no new request after this
  std::atomic<uint64_t> started{0};  // count mode: measured requests issued
  std::atomic<bool> stop{false};
  std::mutex errorMutex;
  std::string firstError;
  uint64_t firstErrorCount = 0;

  void noteError(const std::string& what) {
    std::lock_guard lock(errorMutex);
    if (firstError.empty()) firstError = what;
    ++firstErrorCount;
  }
};

struct ThreadResult {
  std::vector<uint32_t> latencies;  // microseconds, measured requests only
  uint64_t errors = 0;
  uint64_t statusErrors = 0;
  uint64_t failMatches = 0;
  uint64_t transportErrors = 0;
  uint64_t reconnects = 0;
  uint64_t bytesIn = 0;
  uint64_t bodyBytes = 0;
  Clock::time_point lastCompletion{};
  std::string saved;
};

enum class Parse { Incomplete, Complete, Bad };

struct Response {
  int status = 0;
  size_t total = 0;  // bytes of the whole response in the buffer
  size_t bodyStart = 0;
  size_t bodyLength = 0;
  std::string chunkedBody;  // de-chunked body when Transfer-Encoding: chunked
  bool chunked = false;
  bool close = false;
};

bool iequalsPrefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string_view headerValue(std::string_view line, size_t nameLength) {
  std::string_view v = line.substr(nameLength);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool icontains(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

Parse parseResponse(const std::string& buf, Response& r) {
  const size_t headerEnd = buf.find("\r\n\r\n");
  if (headerEnd == std::string::npos) return buf.size() > 65536 ? Parse::Bad : Parse::Incomplete;
  std::string_view head(buf.data(), headerEnd);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return Parse::Bad;
  r = Response{};
  r.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  bool haveLength = false;
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    size_t lineStart = pos + 2;
    size_t lineEnd = head.find("\r\n", lineStart);
    std::string_view line = head.substr(lineStart, lineEnd == std::string_view::npos ? head.npos : lineEnd - lineStart);
    if (iequalsPrefix(line, "content-length:")) {
      r.bodyLength = std::strtoull(std::string(headerValue(line, 15)).c_str(), nullptr, 10);
      haveLength = true;
    } else if (iequalsPrefix(line, "transfer-encoding:")) {
      r.chunked = icontains(headerValue(line, 18), "chunked");
    } else if (iequalsPrefix(line, "connection:")) {
      r.close = icontains(headerValue(line, 11), "close");
    }
    pos = lineEnd;
  }
  r.bodyStart = headerEnd + 4;
  if (r.chunked) {
    size_t p = r.bodyStart;
    std::string body;
    for (;;) {
      size_t lineEnd = buf.find("\r\n", p);
      if (lineEnd == std::string::npos) return Parse::Incomplete;
      const size_t size = std::strtoull(buf.substr(p, lineEnd - p).c_str(), nullptr, 16);
      p = lineEnd + 2;
      if (size == 0) {
        // Trailers are not expected; take the final CRLF.
        size_t fin = buf.find("\r\n", p);
        if (fin == std::string::npos) return Parse::Incomplete;
        r.total = fin + 2;
        r.chunkedBody = std::move(body);
        r.bodyLength = r.chunkedBody.size();
        return Parse::Complete;
      }
      if (buf.size() < p + size + 2) return Parse::Incomplete;
      body.append(buf, p, size);
      p += size + 2;
    }
  }
  if (!haveLength) {
    // No length and not chunked: only valid with a status that has no body (or close-delimited,
    // which a keep-alive benchmark does not support).
    if (r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200)) {
      r.total = r.bodyStart;
      return Parse::Complete;
    }
    return Parse::Bad;
  }
  if (buf.size() < r.bodyStart + r.bodyLength) return Parse::Incomplete;
  r.total = r.bodyStart + r.bodyLength;
  return Parse::Complete;
}

// ---------------------------------------------------------------------------------------------
// Binary TTLV answers (KMIP 2.1 section 9.1: 3-byte tag, 1-byte type, 4-byte length, value
// padded to 8 bytes)
// ---------------------------------------------------------------------------------------------

constexpr uint32_t kResponseMessage = 0x42007B;
constexpr uint32_t kBatchItem = 0x42000F;
constexpr uint32_t kResultStatus = 0x42007F;
constexpr uint32_t kResultReason = 0x42007E;
constexpr uint32_t kResultMessage = 0x42007D;
constexpr uint8_t kStructure = 0x01;
constexpr uint8_t kEnumeration = 0x05;
constexpr uint8_t kTextString = 0x07;

uint32_t be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

struct Ttlv {
  uint32_t tag;
  uint8_t type;
  std::string_view value;
};

// The items directly inside `body` (a structure's value); false when they do not fit it.
bool ttlvChildren(std::string_view body, std::vector<Ttlv>& out) {
  out.clear();
  while (!body.empty()) {
    if (body.size() < 8) return false;
    const uint32_t tag = be32(body.data()) >> 8;
    const auto type = static_cast<uint8_t>(body[3]);
    const uint32_t length = be32(body.data() + 4);
    // Structures are never padded (their length is a multiple of 8); other items are.
    const size_t padded = type == kStructure ? length : (static_cast<size_t>(length) + 7) / 8 * 8;
    if (body.size() - 8 < padded) return false;
    out.push_back({tag, type, body.substr(8, length)});
    body.remove_prefix(8 + padded);
  }
  return true;
}

// The whole message is buffered: "" if every batch item succeeded, else what is wrong.
std::string ttlvFailure(std::string_view message) {
  if ((be32(message.data()) >> 8) != kResponseMessage || message[3] != kStructure) {
    return "not a ResponseMessage structure";
  }
  std::vector<Ttlv> top, fields;
  if (!ttlvChildren(message.substr(8), top)) return "ResponseMessage items do not fit its length";
  size_t items = 0;
  for (const auto& item : top) {
    if (item.tag != kBatchItem) continue;
    ++items;
    if (item.type != kStructure || !ttlvChildren(item.value, fields)) return "a malformed BatchItem";
    bool status = false;
    std::string reason, text;
    for (const auto& f : fields) {
      if (f.tag == kResultStatus && f.type == kEnumeration && f.value.size() == 4) {
        status = true;
        if (be32(f.value.data()) != 0) reason = "ResultStatus " + std::to_string(be32(f.value.data()));
      } else if (f.tag == kResultReason && f.type == kEnumeration && f.value.size() == 4) {
        text += " ResultReason " + std::to_string(be32(f.value.data()));
      } else if (f.tag == kResultMessage && f.type == kTextString) {
        text += ": " + std::string(f.value);
      }
    }
    if (!status) return "batch item " + std::to_string(items) + " has no ResultStatus";
    if (!reason.empty()) {
      std::string failure = "batch item " + std::to_string(items) + ": ";
      failure += reason;
      failure += text;
      return failure;
    }
  }
  return items == 0 ? "no BatchItem" : "";
}

// ---------------------------------------------------------------------------------------------
// One connection
// ---------------------------------------------------------------------------------------------

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct SessionFree {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};

struct Connection {
  int fd = -1;
  std::unique_ptr<SSL, SslFree> ssl;
  std::unique_ptr<SSL_SESSION, SessionFree> session;  // resumed on reconnection
  bool handshaking = false;
  bool inFlight = false;
  bool measured = false;
  bool wantWrite = false;
  const std::string* request = nullptr;
  size_t sent = 0;
  std::string in;
  Clock::time_point started{};
};

class Worker {
 public:
  Worker(Shared& shared, int index, int connections) : s_(shared), index_(index), conns_(connections) {}

  void run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      std::perror("epoll_create1");
      std::exit(1);
    }
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (!open(i)) continue;
      start(i);
    }
    std::vector<epoll_event> events(conns_.size() + 1);
    char chunk[65536];
    auto lastSweep = Clock::now();
    while (true) {
      if (idle()) break;
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::perror("epoll_wait");
        break;
      }
      for (int e = 0; e < n; ++e) {
        const size_t i = events[e].data.u64;
        Connection& c = conns_[i];
        if (c.fd < 0) continue;
        if (c.ssl) {
          // SSL may want the other direction than the one it is used for (a write may need a
          // read and the reverse), so every event drives whatever is pending.
          if (c.handshaking) {
            handshake(i);
            continue;
          }
          if (c.inFlight && c.sent < c.request->size() && !flush(i)) continue;
          readable(i, chunk, sizeof chunk);
          continue;
        }
        if ((events[e].events & EPOLLOUT) && c.wantWrite) {
          if (!flush(i)) continue;
        }
        if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          readable(i, chunk, sizeof chunk);
        }
      }
      const auto now = Clock::now();
      if (now - lastSweep > std::chrono::milliseconds(100)) {
        lastSweep = now;
        sweep(now);
      }
    }
    for (auto& c : conns_) {
      c.ssl.reset();
      if (c.fd >= 0) ::close(c.fd);
    }
    ::close(epoll_);
  }

  ThreadResult result;
  std::string tlsVersion, tlsCipher;  // of the first handshake
  uint64_t handshakes = 0, resumed = 0;

 private:
  bool idle() {
    if (s_.stop.load(std::memory_order_relaxed)) return true;
    for (const auto& c : conns_)
      if (c.inFlight || c.handshaking) return false;
    // Nothing in flight: either the run is over, or every connection failed to (re)connect.
    return true;
  }

  // A freshly opened connection: its first request, after the TLS handshake if any.
  void start(size_t i) {
    if (conns_[i].ssl) {
      handshake(i);
    } else {
      issue(i);
    }
  }

  void interest(size_t i, bool out) {
    Connection& c = conns_[i];
    if (c.wantWrite == out) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    c.wantWrite = out;
  }

  static std::string sslError(const char* what, int code) {
    std::string text = std::string(what) + ": SSL error " + std::to_string(code);
    if (code == SSL_ERROR_SYSCALL && errno != 0) text += " (" + std::string(std::strerror(errno)) + ")";
    char buf[256];
    while (const unsigned long e = ERR_get_error()) {
      ERR_error_string_n(e, buf, sizeof buf);
      text += std::string("; ") + buf;
    }
    return text;
  }

  bool open(size_t i) {
    Connection& c = conns_[i];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      transportError("socket: " + std::string(std::strerror(errno)));
      return false;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&s_.address), sizeof s_.address) < 0 &&
        errno != EINPROGRESS) {
      transportError("connect: " + std::string(std::strerror(errno)));
      ::close(c.fd);
      c.fd = -1;
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.wantWrite = false;
    c.in.clear();
    if (s_.tls != nullptr) {
      c.ssl.reset(SSL_new(s_.tls));
      SSL_set_fd(c.ssl.get(), c.fd);
      SSL_set_connect_state(c.ssl.get());
      const std::string& host = s_.options->host;
      in_addr ip{};
      if (inet_pton(AF_INET, host.c_str(), &ip) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c.ssl.get()), host.c_str());
      } else {
        SSL_set1_host(c.ssl.get(), host.c_str());
        SSL_set_tlsext_host_name(c.ssl.get(), host.c_str());
      }
      if (c.session) SSL_set_session(c.ssl.get(), c.session.get());
      c.handshaking = true;
      c.started = Clock::now();  // for the sweep's timeout
    }
    return true;
  }

  // Drives the TLS handshake of connection i; its first request leaves once it is done.
  void handshake(size_t i) {
    Connection& c = conns_[i];
    ERR_clear_error();
    const int r = SSL_do_handshake(c.ssl.get());
    if (r == 1) {
      c.handshaking = false;
      ++handshakes;
      if (SSL_session_reused(c.ssl.get())) ++resumed;
      if (tlsVersion.empty()) {
        tlsVersion = SSL_get_version(c.ssl.get());
        tlsCipher = SSL_get_cipher_name(c.ssl.get());
      }
      interest(i, false);
      issue(i);
      return;
    }
    const int code = SSL_get_error(c.ssl.get(), r);
    if (code == SSL_ERROR_WANT_READ) {
      interest(i, false);
      return;
    }
    if (code == SSL_ERROR_WANT_WRITE) {
      interest(i, true);
      return;
    }
    transportError(sslError("TLS handshake", code));
    drop(i);  // the sweep tries again while the run goes on
  }

  // Closes connection i, keeping its TLS session for the next one.
  void drop(size_t i) {
    Connection& c = conns_[i];
    if (c.ssl) {
      SSL_SESSION* session = SSL_get1_session(c.ssl.get());
      if (session != nullptr && SSL_SESSION_is_resumable(session)) {
        c.session.reset(session);
      } else if (session != nullptr) {
        SSL_SESSION_free(session);
      }
      c.ssl.reset();
    }
    if (c.fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      c.fd = -1;
    }
    c.handshaking = false;
    c.inFlight = false;
  }

  void reconnect(size_t i) {
    drop(i);
    ++result.reconnects;
    if (open(i)) start(i);
  }

  void transportError(const std::string& what) {
    ++result.errors;
    ++result.transportErrors;
    s_.noteError(what);
  }

  // Starts the next request on connection i if the run allows one.
  void issue(size_t i) {
    Connection& c = conns_[i];
    const auto now = Clock::now();
    const Options& o = *s_.options;
    bool measured = now >= s_.measureStart;
    if (o.duration > 0) {
      if (now >= s_.end) return;
    } else if (measured) {
      if (s_.started.fetch_add(1, std::memory_order_relaxed) >= o.requests) return;
    }
    c.request = &s_.wire[nextBody_++ % s_.wire.size()];
    c.sent = 0;
    c.in.clear();
    c.inFlight = true;
    c.measured = measured;
    c.started = now;
    flush(i);
  }

  // Sends what is left of the request; false if the connection was dropped.
  bool flush(size_t i) {
    Connection& c = conns_[i];
    while (c.sent < c.request->size()) {
      if (c.ssl) {
        // Without SSL_MODE_ENABLE_PARTIAL_WRITE a write is all or nothing, and a retry passes
        // the same buffer and length, as OpenSSL requires.
        ERR_clear_error();
        const int n = SSL_write(c.ssl.get(), c.request->data() + c.sent, static_cast<int>(c.request->size() - c.sent));
        if (n > 0) {
          c.sent += static_cast<size_t>(n);
          continue;
        }
        const int code = SSL_get_error(c.ssl.get(), n);
        if (code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_WANT_READ) {
          interest(i, code == SSL_ERROR_WANT_WRITE);
          return true;
        }
        transportError(sslError("SSL_write", code));
        reconnect(i);
        return false;
      }
      ssize_t n = ::send(c.fd, c.request->data() + c.sent, c.request->size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        interest(i, true);
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      transportError("send: " + std::string(std::strerror(errno)));
      reconnect(i);
      return false;
    }
    interest(i, false);
    return true;
  }

  void closedByServer(size_t i) {
    if (conns_[i].inFlight) {
      transportError("connection closed by the server with a request in flight");
    } else {
      ++result.reconnects;
    }
    reconnect(i);
  }

  // Reads what the socket has; false if the connection was dropped.
  bool receive(size_t i, char* chunk, size_t size) {
    Connection& c = conns_[i];
    for (;;) {
      if (c.ssl) {
        // Until WANT_READ: a record already decrypted inside SSL would not wake epoll again.
        ERR_clear_error();
        const int n = SSL_read(c.ssl.get(), chunk, static_cast<int>(size));
        if (n > 0) {
          c.in.append(chunk, static_cast<size_t>(n));
          result.bytesIn += static_cast<uint64_t>(n);
          continue;
        }
        const int code = SSL_get_error(c.ssl.get(), n);
        if (code == SSL_ERROR_WANT_READ) return true;
        if (code == SSL_ERROR_WANT_WRITE) {
          interest(i, true);
          return true;
        }
        if (code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
          closedByServer(i);
          return false;
        }
        transportError(sslError("SSL_read", code));
        reconnect(i);
        return false;
      }
      ssize_t n = ::recv(c.fd, chunk, size, 0);
      if (n > 0) {
        c.in.append(chunk, static_cast<size_t>(n));
        result.bytesIn += static_cast<uint64_t>(n);
        if (static_cast<size_t>(n) < size) return true;
        continue;
      }
      if (n == 0) {
        closedByServer(i);
        return false;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR) continue;
      transportError("recv: " + std::string(std::strerror(errno)));
      reconnect(i);
      return false;
    }
  }

  void readable(size_t i, char* chunk, size_t size) {
    Connection& c = conns_[i];
    if (!receive(i, chunk, size)) return;
    if (!c.inFlight) return;
    Response r;
    std::string ttlvError;
    if (s_.options->ttlv) {
      if (c.in.size() < 8) return;
      const uint64_t length = be32(c.in.data() + 4);
      if (length % 8 != 0 || length > (uint64_t{64} << 20)) {
        transportError("unparseable TTLV header: length " + std::to_string(length));
        reconnect(i);
        return;
      }
      if (c.in.size() < 8 + length) return;
      r.status = 200;
      r.bodyLength = r.total = 8 + length;
      ttlvError = ttlvFailure(std::string_view(c.in).substr(0, r.total));
    } else {
      Parse p = parseResponse(c.in, r);
      if (p == Parse::Incomplete) return;
      if (p == Parse::Bad) {
        transportError("unparseable response: " + c.in.substr(0, 200));
        reconnect(i);
        return;
      }
    }
    const auto now = Clock::now();
    std::string_view body =
        r.chunked ? std::string_view(r.chunkedBody) : std::string_view(c.in).substr(r.bodyStart, r.bodyLength);
    bool failed = false;
    if (!ttlvError.empty()) {
      failed = true;
      ++result.failMatches;
      s_.noteError("TTLV: " + ttlvError);
    } else if (r.status < 200 || r.status > 299) {
      failed = true;
      ++result.statusErrors;
      s_.noteError("HTTP " + std::to_string(r.status) + ": " + std::string(body.substr(0, 300)));
    } else if (!s_.options->ttlv) {
      for (const auto& f : s_.options->failSubstrings) {
        if (body.find(f) != std::string_view::npos) {
          failed = true;
          ++result.failMatches;
          s_.noteError("'" + f + "' in: " + std::string(body.substr(0, 300)));
          break;
        }
      }
    }
    if (c.measured) {
      if (failed) ++result.errors;
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - c.started).count();
      result.latencies.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
      result.bodyBytes += body.size();
      result.lastCompletion = now;
      if (!s_.options->saveResponses.empty()) {
        result.saved.append(body);
        result.saved.push_back('\n');
      }
    }
    c.inFlight = false;
    if (r.close) {
      reconnect(i);
      return;
    }
    c.in.erase(0, r.total);
    issue(i);
  }

  void sweep(Clock::time_point now) {
    const auto limit = std::chrono::duration<double>(s_.options->timeout);
    for (size_t i = 0; i < conns_.size(); ++i) {
      Connection& c = conns_[i];
      if (c.fd < 0 && !c.inFlight) {
        // A connection that could not connect: try again while the run goes on.
        if (open(i)) start(i);
        continue;
      }
      if ((c.inFlight || c.handshaking) && now - c.started > limit) {
        transportError("timeout: no complete " + std::string(c.handshaking ? "handshake" : "answer") + " within " +
                       std::to_string(s_.options->timeout) + " s");
        reconnect(i);
      }
    }
  }

  Shared& s_;
  int index_;
  int epoll_ = -1;
  uint64_t nextBody_ = 0;
  std::vector<Connection> conns_;
};

double percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(rank);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (static_cast<double>(sorted[hi]) - sorted[lo]) * frac;
}

std::string jsonEscape(const std::string& in) {
  std::string out;
  for (unsigned char ch : in) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (ch < 0x20 || ch >= 0x7f) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", ch);
          out += b;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  Shared s;
  s.options = &o;

  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(o.host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    std::fprintf(stderr, "kms-loadgen: cannot resolve %s\n", o.host.c_str());
    return 2;
  }
  s.address = *reinterpret_cast<sockaddr_in*>(found->ai_addr);
  s.address.sin_port = htons(static_cast<uint16_t>(o.port));
  freeaddrinfo(found);

  if (o.tls) {
    s.tls = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(s.tls, TLS1_2_VERSION);
    if (!o.cert.empty() && (SSL_CTX_use_certificate_chain_file(s.tls, o.cert.c_str()) != 1 ||
                            SSL_CTX_use_PrivateKey_file(s.tls, o.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
                            SSL_CTX_check_private_key(s.tls) != 1)) {
      std::fprintf(stderr, "kms-loadgen: cannot load the client certificate %s and key %s\n", o.cert.c_str(),
                   o.key.c_str());
      return 2;
    }
    if (!o.ca.empty()) {
      if (SSL_CTX_load_verify_locations(s.tls, o.ca.c_str(), nullptr) != 1) {
        std::fprintf(stderr, "kms-loadgen: cannot load the CA %s\n", o.ca.c_str());
        return 2;
      }
      SSL_CTX_set_verify(s.tls, SSL_VERIFY_PEER, nullptr);
    }
  }

  if (o.bodies.empty()) o.bodies.emplace_back();
  for (const auto& body : o.bodies) {
    if (o.ttlv) {
      s.wire.push_back(body);
      continue;
    }
    const std::string host = o.host + ":" + std::to_string(o.port);
    std::string w = o.method + " " + o.path + " HTTP/1.1\r\nHost: " + host + "\r\n";
    if (!body.empty() || o.method == "POST" || o.method == "PUT") {
      w += "Content-Type: " + o.contentType + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    for (const auto& h : o.headers) w += h + "\r\n";
    if (!o.sigv4.empty()) w += sigv4Headers(o, host, body);
    w += "\r\n";
    w += body;
    s.wire.push_back(std::move(w));
  }

  const auto begin = Clock::now();
  s.measureStart = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  s.end = o.duration > 0
              ? s.measureStart + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration))
              : Clock::time_point::max();

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    int count = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(s, t, count));
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  for (auto& t : threads) t.join();

  std::vector<uint32_t> all;
  ThreadResult total;
  std::string tlsVersion, tlsCipher;
  uint64_t handshakes = 0, resumed = 0;
  for (auto& w : workers) {
    if (tlsVersion.empty()) tlsVersion = w->tlsVersion, tlsCipher = w->tlsCipher;
    handshakes += w->handshakes;
    resumed += w->resumed;
    auto& r = w->result;
    all.insert(all.end(), r.latencies.begin(), r.latencies.end());
    total.errors += r.errors;
    total.statusErrors += r.statusErrors;
    total.failMatches += r.failMatches;
    total.transportErrors += r.transportErrors;
    total.reconnects += r.reconnects;
    total.bytesIn += r.bytesIn;
    total.bodyBytes += r.bodyBytes;
    total.lastCompletion = std::max(total.lastCompletion, r.lastCompletion);
  }
  if (!o.saveResponses.empty()) {
    std::ofstream out(o.saveResponses, std::ios::binary);
    for (auto& w : workers) out << w->result.saved;
  }
  std::sort(all.begin(), all.end());
  const auto stopAt = o.duration > 0 ? std::max(s.end, total.lastCompletion) : total.lastCompletion;
  const double elapsed = all.empty() ? 0 : std::chrono::duration<double>(stopAt - s.measureStart).count();
  double mean = 0;
  for (auto v : all) mean += v;
  if (!all.empty()) mean /= static_cast<double>(all.size());
  const double rps = elapsed > 0 ? static_cast<double>(all.size()) / elapsed : 0;

  std::printf("{\"label\": \"%s\", \"connections\": %d, \"threads\": %d, \"requests\": %zu, \"errors\": %" PRIu64
              ", \"status_errors\": %" PRIu64 ", \"fail_matches\": %" PRIu64 ", \"transport_errors\": %" PRIu64
              ", \"reconnects\": %" PRIu64
              ", \"elapsed_s\": %.4f, \"rps\": %.1f, \"latency_us\": {\"mean\": %.1f, "
              "\"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"max\": %u}, \"response_body_bytes_avg\": %.1f, "
              "\"first_error\": \"%s\"}\n",
              jsonEscape(o.label).c_str(), o.connections, o.threads, all.size(), total.errors, total.statusErrors,
              total.failMatches, total.transportErrors, total.reconnects, elapsed, rps, mean, percentile(all, 50),
              percentile(all, 90), percentile(all, 99), all.empty() ? 0u : all.back(),
              all.empty() ? 0.0 : static_cast<double>(total.bodyBytes) / static_cast<double>(all.size()),
              jsonEscape(s.firstError).c_str());
  std::fprintf(stderr,
               "%s c=%d: %zu req in %.2f s = %.0f req/s, p50 %.0f us, p99 %.0f us, max %u us, errors %" PRIu64 "\n",
               o.label.empty() ? "loadgen" : o.label.c_str(), o.connections, all.size(), elapsed, rps,
               percentile(all, 50), percentile(all, 99), all.empty() ? 0u : all.back(), total.errors);
  if (!s.firstError.empty()) std::fprintf(stderr, "  first error: %s\n", s.firstError.substr(0, 300).c_str());
  if (s.tls != nullptr) {
    std::fprintf(stderr, "  tls: %s %s, %" PRIu64 " handshakes (%" PRIu64 " resumed)\n",
                 tlsVersion.empty() ? "-" : tlsVersion.c_str(), tlsCipher.empty() ? "-" : tlsCipher.c_str(), handshakes,
                 resumed);
    SSL_CTX_free(s.tls);
  }
  return 0;
}
