// kmsd: reads the configuration, opens the store, serves KMIP over HTTP until SIGINT/SIGTERM.
//
// Exit codes: 0 after a clean stop (or --help/--version), 2 for an unusable configuration,
// 1 when the server cannot start (database, port in use, ...). Every failure is one line on
// stderr starting with "kmsd: ".
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/PatternFormatter.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kms/server/ProcessHardening.hpp"
#include "kms/audit/AuditError.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/audit/AuditVerifier.hpp"
#include "kms/audit/HmacKeyFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"
#include "kms/config/HelpText.hpp"
#include "kms/hsm/HsmConfigBuilder.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/config/Version.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/auth/ApiTokenAuthenticator.hpp"
#include "kms/auth/ApiTokens.hpp"
#include "kms/auth/AuthenticatorChain.hpp"
#include "kms/auth/ClientCertificateAuthenticator.hpp"
#include "kms/auth/JwtAuthenticator.hpp"
#include "kms/http/HandlerContext.hpp"
#include "kms/http/HttpServer.hpp"
#include "kms/http/ListenError.hpp"
#include "kms/http/RequestAuthenticator.hpp"
#include "kms/integrations/aws_xks/XksService.hpp"
#include "kms/integrations/google_cse/GoogleCseService.hpp"
#include "kms/integrations/ms_dke/MsDkeService.hpp"
#include "kms/net/InflightBudget.hpp"
#include "kms/net/SocketMetrics.hpp"
#include "kms/net/TlsContext.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/socket/SocketServer.hpp"
#include "kms/store/postgres/PostgresStore.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

namespace {

int priorityOf(kms::config::LogLevel level) {
  switch (level) {
    case kms::config::LogLevel::Error:
      return Poco::Message::PRIO_ERROR;
    case kms::config::LogLevel::Warning:
      return Poco::Message::PRIO_WARNING;
    case kms::config::LogLevel::Info:
      return Poco::Message::PRIO_INFORMATION;
    case kms::config::LogLevel::Debug:
      return Poco::Message::PRIO_DEBUG;
  }
  return Poco::Message::PRIO_INFORMATION;
}

// Logs go to stderr; stdout carries only the start-up line that scripts wait for.
void setUpLogging(kms::config::LogLevel level) {
  Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel(std::cerr));
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(priorityOf(level));
}

// 127.0.0.0/8, ::1 or "localhost": only this machine reaches the server.
bool isLoopback(const std::string& hostname) {
  if (hostname == "localhost") return true;
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(hostname, address) && address.isLoopback();
}

std::string urlHost(const std::string& hostname) {
  return hostname.find(':') != std::string::npos ? "[" + hostname + "]" : hostname;
}

// Opens every configured HSM instance in order. A critical instance that cannot open (missing
// library, driver ABI mismatch, wrong PIN, ...) stops the start with its one-line reason.
std::unique_ptr<kms::hsm::HsmRegistry> openHsms(const kms::config::Config& config,
                                                const std::vector<kms::hsm::InstanceConfig>& instances) {
  auto registry = std::make_unique<kms::hsm::HsmRegistry>(kms::hsm::DriverLoader(config.hsm.pluginsDir));
  for (const auto& instance : instances) registry->add(instance);
  return registry;
}

// libpq adds hints on further lines; a start-up failure is one line.
std::string oneLine(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  return text;
}

// Store notifications -> the processor's caches, for as long as the processor lives.
struct ChangeForwarder {
  std::mutex mutex;
  kms::ops::RequestProcessor* target = nullptr;

  void forward(const std::string& uid, std::int64_t version) {
    const std::lock_guard lock(mutex);
    if (target != nullptr) target->objectChanged(uid, version);
  }
  struct Detach {
    std::shared_ptr<ChangeForwarder> forwarder;
    explicit Detach(std::shared_ptr<ChangeForwarder> f) : forwarder(std::move(f)) {}
    Detach(const Detach&) = delete;
    Detach& operator=(const Detach&) = delete;
    ~Detach() {
      const std::lock_guard lock(forwarder->mutex);
      forwarder->target = nullptr;
    }
  };
};

// `kmsd audit verify [--hmac-key-file FILE] [--partial] FILE...` (docs/audit.md): 0 when the
// files hold one unbroken chain, 1 naming the first bad line, 2 for a usage error.
int auditCommand(int argc, char** argv) {
  constexpr std::string_view kUsage =
      "usage: kmsd audit verify [--hmac-key-file FILE] [--partial] FILE...\n"
      "  Checks audit log files, oldest first (FILE.000001 FILE.000002 ... FILE), and names the first line\n"
      "  that was altered, removed, reordered or truncated. With the key, every line's mac is checked too.\n";
  if (argc < 3 || std::string_view(argv[2]) != "verify") {
    std::cerr << kUsage;
    return argc >= 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h") ? 0 : 2;
  }
  std::vector<std::string> files;
  std::string keyFile;
  bool partial = false;
  for (int i = 3; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg == "--hmac-key-file" && i + 1 < argc) {
      keyFile = argv[++i];
    } else if (arg.starts_with("--hmac-key-file=")) {
      keyFile = std::string(arg.substr(16));
    } else if (arg == "--partial") {
      partial = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg.starts_with("--")) {
      std::cerr << "kmsd audit verify: unknown option " << arg << '\n' << kUsage;
      return 2;
    } else {
      files.emplace_back(arg);
    }
  }
  if (files.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    kms::SecureBytes key;
    if (!keyFile.empty()) key = kms::audit::HmacKeyFile::read(keyFile);
    const auto report = kms::audit::AuditVerifier::verify(files, key, partial);
    if (!report.ok) {
      std::cout << "kmsd audit verify: FAILED: " << report.text() << '\n';
      return 1;
    }
    std::cout << "kmsd audit verify: OK: " << report.text() << '\n';
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "kmsd audit verify: " << error.what() << '\n';
    return 2;
  }
}

// The installed audit log for as long as serve() runs: uninstalled before it is destroyed.
struct InstalledAudit {
  std::unique_ptr<kms::audit::AuditLog> log;
  InstalledAudit() = default;
  InstalledAudit(const InstalledAudit&) = delete;
  InstalledAudit& operator=(const InstalledAudit&) = delete;
  ~InstalledAudit() {
    kms::audit::AuditLog::install(nullptr);
    if (log) log->stop();
  }
};

kms::audit::AuditEvent serverEvent(std::string type) {
  kms::audit::AuditEvent event;
  event.type = std::move(type);
  event.operation = event.type;
  event.transport = "server";
  return event;
}

int serve(const kms::config::Config& config, const std::vector<kms::hsm::InstanceConfig>& hsmInstances,
          sigset_t& stopSignals) {
  auto& logger = Poco::Logger::get("kmsd");

  // The audit log first: every request is recorded from the first one on (docs/audit.md).
  InstalledAudit audit;
  if (!config.audit.logFile.empty()) {
    try {
      kms::audit::AuditSettings auditSettings;
      auditSettings.path = config.audit.logFile;
      if (!config.audit.hmacKeyFile.empty()) {
        auditSettings.hmacKey = kms::audit::HmacKeyFile::read(config.audit.hmacKeyFile);
      }
      auditSettings.flush = config.audit.flush == kms::config::AuditFlush::Interval ? kms::audit::FlushPolicy::Interval
                                                                                    : kms::audit::FlushPolicy::Event;
      auditSettings.flushInterval = config.audit.flushInterval;
      auditSettings.rotateSize = config.audit.rotateSize;
      auditSettings.syslog = config.audit.syslog;
      audit.log = std::make_unique<kms::audit::AuditLog>(std::move(auditSettings));
    } catch (const kms::audit::AuditError& error) {
      std::cerr << "kmsd: " << error.what() << '\n';
      return 1;
    }
    kms::audit::AuditLog::install(audit.log.get());
    logger.information(fmt::format(
        "audit log {} (flush: {}, {})", config.audit.logFile, kms::config::auditFlushName(config.audit.flush),
        config.audit.hmacKeyFile.empty() ? "no mac: set audit_hmac_key_file" : "lines carry an HMAC-SHA-256"));
  }

  // Both stores implement ObjectStore and TokenStore; the rest of kmsd sees only those.
  std::unique_ptr<kms::store::SqliteStore> sqlite;
  std::unique_ptr<kms::store::PostgresStore> postgres;
  kms::store::ObjectStore* store = nullptr;
  kms::store::TokenStore* tokens = nullptr;
  std::string storeDescription;  // for the start line: never the password
  if (config.db.type == kms::config::DatabaseType::Postgresql) {
    try {
      kms::store::PostgresOptions options;
      options.url = config.db.databaseUrl;  // the store adds KMS_DATABASE_PASSWORD(_FILE) itself
      options.poolSize = static_cast<int>(config.db.poolSize);
      options.connectTimeout = config.db.connectTimeout;
      options.statementTimeout = config.db.statementTimeout;
      postgres = std::make_unique<kms::store::PostgresStore>(
          options, [](const std::string& message) { Poco::Logger::get("kms.store").warning(message); });
    } catch (const std::exception& error) {
      // Messages of the store are already redacted: the URL's password never appears.
      std::cerr << fmt::format("kmsd: cannot open the PostgreSQL database: {}\n", oneLine(error.what()));
      return 1;
    }
    store = postgres.get();
    tokens = postgres.get();
    storeDescription = "postgresql: " + postgres->description();
  } else {
    // SqliteStore creates its own directory with owner-only permissions; only the parents
    // (./var for the README's ./var/sqlite) are made here.
    const std::filesystem::path sqlitePath(config.db.sqlitePath);
    if (const auto parent = sqlitePath.parent_path(); !parent.empty()) {
      std::error_code error;
      std::filesystem::create_directories(parent, error);
      if (error) {
        std::cerr << fmt::format("kmsd: cannot create directory '{}': {}\n", parent.string(), error.message());
        return 1;
      }
    }
    try {
      sqlite = std::make_unique<kms::store::SqliteStore>(sqlitePath);
    } catch (const std::exception& error) {
      std::cerr << fmt::format("kmsd: cannot open the SQLite database in '{}': {}\n", config.db.sqlitePath,
                               error.what());
      return 1;
    }
    store = sqlite.get();
    tokens = sqlite.get();
    storeDescription = "sqlite: " + config.db.sqlitePath;
  }

  std::unique_ptr<kms::hsm::HsmRegistry> hsms;
  try {
    hsms = openHsms(config, hsmInstances);
  } catch (const std::exception& error) {
    std::cerr << "kmsd: " << error.what() << '\n';
    return 1;
  }

  kms::ops::ProcessorSettings settings;
  settings.hsm = hsms.get();
  settings.vendorIdentification = config.vendorIdentification;
  settings.serverVersion = std::string(kms::config::kVersion);
  settings.debugLog = [](std::string_view text) {
    auto& opsLogger = Poco::Logger::get("kms.ops");
    if (opsLogger.debug()) opsLogger.debug(std::string(text));
  };
  kms::auth::AccessPolicy::Settings roles;
  roles.privilegedUsers = config.privilegedUsers;
  roles.defaultUser = config.defaultUsername;
  roles.authenticationConfigured = config.authenticationConfigured();
  // Every configured instance, an unavailable one too: its admins keep their role.
  for (const auto& instance : hsms->instances()) roles.hsmAdmins.push_back({instance->prefix(), instance->admins()});
  roles.hsmStatusReaders = config.hsmStatusReaders;
  roles.metricsReaders = config.metricsReaders;
  roles.metricsLoopbackUnauthenticated = config.metricsLoopbackUnauthenticated;
  const kms::auth::AccessPolicy policy(std::move(roles));
  settings.accessPolicy = policy;
  settings.keyEncryptionKey = config.keyEncryptionKey;
  settings.rsaPkcs1v15Decrypt = config.rsaPkcs1v15Decrypt;
  settings.keyCache.capacity = config.db.unwrappedCacheSize;
  settings.keyCache.maxIdle = config.db.unwrappedCacheMaxAge;
  settings.keyCache.maxLifetime = config.db.unwrappedCacheMaxLifetime;
  settings.objectCacheSize = config.db.unwrappedCacheSize;
  // Several nodes share a PostgreSQL database: a node whose change notifications were lost
  // must not serve an object changed elsewhere for long (issue 8: a revoke is honoured
  // everywhere within a second). One SQLite node sees every change itself.
  settings.objectCacheMaxAge = postgres ? std::chrono::milliseconds(500) : std::chrono::milliseconds(0);
  kms::ops::RequestProcessor processor(*store, std::move(settings));
  // Without its KEK the server would store new keys in the clear: refuse to start instead.
  try {
    processor.checkKeyEncryptionKey();
  } catch (const std::exception& error) {
    std::cerr << "kmsd: cannot use the key-encryption key: " << oneLine(error.what()) << '\n';
    return 1;
  }
  if (!config.keyEncryptionKey.empty()) {
    logger.information(fmt::format("keys are stored wrapped by {}", config.keyEncryptionKey));
  } else {
    logger.warning(fmt::format(
        "no key_encryption_key is configured: keys created or imported without a wrapping key of their own are "
        "stored in clear in the database ({}); in production set key_encryption_key = \"hsm::...\" (README)",
        storeDescription));
  }
  if (config.rsaPkcs1v15Decrypt) {
    logger.warning(
        "rsa_pkcs1v15_decrypt is on: RSA PKCS#1 v1.5 Decrypt is served, and its answers are a Bleichenbacher "
        "padding oracle on every RSA key a caller may decrypt with (use OAEP; docs/wrapped-keys.md)");
  }
  // Other nodes change objects too: drop what this node cached of them (DESIGN §8). The store's
  // listener thread outlives `processor` (declared earlier): `detach` cuts the link first.
  auto forwarder = std::make_shared<ChangeForwarder>();
  forwarder->target = &processor;
  const ChangeForwarder::Detach detach{forwarder};
  if (postgres) {
    try {
      postgres->subscribe(
          [forwarder](const std::string& uid, std::int64_t version) { forwarder->forward(uid, version); });
    } catch (const std::exception& error) {
      std::cerr << fmt::format("kmsd: cannot listen to PostgreSQL notifications: {}\n", oneLine(error.what()));
      return 1;
    }
  }

  // Authentication methods, bearer tokens first: a request that sends a token is judged by
  // it, even over a connection that also presented a client certificate.
  kms::auth::ApiTokens apiTokens(*tokens);
  std::vector<std::unique_ptr<kms::auth::Authenticator>> methods;
  if (config.apiTokenAuth) methods.push_back(std::make_unique<kms::auth::ApiTokenAuthenticator>(apiTokens));
  if (!config.idp.providers.empty()) {
    methods.push_back(std::make_unique<kms::auth::JwtAuthenticator>(config.idp.providers, config.idp.userClaim));
  }
  const bool clientCertificates = !config.tls.clientsCaCertFile.empty();
  if (clientCertificates) {
    methods.push_back(std::make_unique<kms::auth::ClientCertificateAuthenticator>(config.tls.clientCertUser));
  }
  // Certificates are required in the handshake only when nothing else could authenticate.
  const bool requireClientCertificate = clientCertificates && methods.size() == 1;
  const kms::auth::AuthenticatorChain chain(std::move(methods), config.defaultUsername);
  if (chain.empty()) {
    logger.warning(fmt::format(
        "no authentication method is configured: every request is served as the default user '{}' with full rights",
        config.defaultUsername));
    // The loopback default was overridden (ConfigLoader): say loudly what that exposes.
    if (!isLoopback(config.http.hostname)) {
      logger.warning(fmt::format(
          "listening on {} WITHOUT AUTHENTICATION: anyone who reaches this address is served as the default user "
          "'{}' with full rights (its objects, and its HSMs where it is hsm_admin); configure authentication "
          "or listen on 127.0.0.1",
          config.http.hostname, config.defaultUsername));
    }
  } else {
    logger.information(fmt::format("authentication: {}", chain.describe()));
  }
  // The configuration each start runs with, for the audit log: a change between two starts
  // shows as two different server.start lines (no secret: names, UIDs and switches only).
  if (audit.log) {
    auto event = serverEvent("server.start");
    event.fields = {
        {"version", std::string(kms::config::kVersion)},
        {"config_file", config.configFile},
        {"http",
         fmt::format("{}:{}{}", urlHost(config.http.hostname), config.http.port, config.tls.enabled() ? " tls" : "")},
        {"kmip_socket", config.socketServer.start ? std::to_string(config.socketServer.port) : "off"},
        {"database", storeDescription},
        {"authentication", chain.empty() ? "none: default user " + config.defaultUsername : chain.describe()},
        {"key_encryption_key", config.keyEncryptionKey},
        {"hsm_instances", std::to_string(hsmInstances.size())},
        {"aws_xks", config.awsXks.enable ? "on" : "off"},
        {"audit_flush", std::string(kms::config::auditFlushName(config.audit.flush))},
        {"audit_mac", config.audit.hmacKeyFile.empty() ? "off" : "on"}};
    try {
      audit.log->record(std::move(event));
    } catch (const kms::audit::AuditError& error) {
      std::cerr << "kmsd: " << error.what() << '\n';
      return 1;
    }
  }
  kms::http::RequestAuthenticator authenticator(chain);
  // One budget for the KMIP messages of both front ends: together they hold at most
  // max_inflight_memory.
  kms::net::InflightBudget::configureAllocator();
  kms::net::InflightBudget inflight(config.http.maxInflightMemory);
  kms::net::SocketMetrics socketMetrics;
  // Cloud integrations (net::RestService): each serves its own paths and authenticates its callers
  // itself; they live until the server has stopped (declared before it).
  std::vector<kms::net::RestService*> restServices;
  std::unique_ptr<kms::integrations::aws_xks::XksService> awsXks;
  if (config.awsXks.enable) {
    // AWS KMS External Key Store proxy (docs/aws-xks.md).
    awsXks = std::make_unique<kms::integrations::aws_xks::XksService>(config.awsXks, processor, hsms.get());
    restServices.push_back(awsXks.get());
    logger.information(fmt::format("AWS XKS proxy API at {} (SigV4 region {}, service {}), acting as user '{}'",
                                   awsXks->base(), config.awsXks.region, config.awsXks.service, config.awsXks.user));
  }
  std::unique_ptr<kms::integrations::ms_dke::MsDkeService> msDke;
  if (config.msDke.enable) {
    // Microsoft Double Key Encryption (docs/ms-dke.md).
    msDke = std::make_unique<kms::integrations::ms_dke::MsDkeService>(processor, config);
    restServices.push_back(msDke.get());
    logger.information(fmt::format("Microsoft Double Key Encryption served under {}",
                                   kms::integrations::ms_dke::MsDkeService::kPrefix));
  }
  std::unique_ptr<kms::integrations::google_cse::GoogleCseService> googleCse;
  if (config.googleCse.enable) {
    // Google Workspace client-side encryption (docs/google-cse.md).
    googleCse = std::make_unique<kms::integrations::google_cse::GoogleCseService>(processor, config);
    restServices.push_back(googleCse.get());
    logger.information(
        fmt::format("Google CSE KACLS at {}, data keys wrapped by {}", googleCse->kaclsUrl(), config.googleCse.keyId));
  }
  const kms::http::HandlerContext context{processor,
                                          *store,
                                          authenticator,
                                          config.http.maxBodySize,
                                          {},
                                          &policy,
                                          config.apiTokenAuth ? &apiTokens : nullptr,
                                          hsms.get(),
                                          &inflight,
                                          config.socketServer.start ? &socketMetrics : nullptr,
                                          restServices};

  Poco::Net::Context::Ptr tls;
  if (config.tls.enabled()) {
    try {
      tls = kms::net::TlsContext::create(config.tls, requireClientCertificate);
    } catch (const std::exception& error) {
      std::cerr << "kmsd: " << error.what() << '\n';
      return 1;
    }
  }

  std::unique_ptr<kms::http::HttpServer> server;
  try {
    server = std::make_unique<kms::http::HttpServer>(config.http, context, tls);
  } catch (const kms::http::ListenError& error) {
    std::cerr << "kmsd: " << error.what() << '\n';
    return 1;
  }
  // Binary KMIP on 5696: client certificates required in the handshake, whatever HTTPS asks.
  std::unique_ptr<kms::socket::SocketServer> socketServer;
  if (config.socketServer.start) {
    kms::socket::ServerSettings socketSettings;
    socketSettings.hostname = config.socketServer.hostname;
    socketSettings.port = config.socketServer.port;
    socketSettings.threads = config.http.threads;
    socketSettings.maxQueued = config.http.maxQueued;
    socketSettings.maxMessageSize = config.socketServer.maxMessageSize;
    socketSettings.requestTimeout = config.http.requestTimeout;
    socketSettings.idleTimeout = config.socketServer.idleTimeout;
    try {
      socketServer = std::make_unique<kms::socket::SocketServer>(
          socketSettings, kms::socket::ServerServices{processor, chain, inflight, socketMetrics},
          kms::net::TlsContext::create(config.tls, true));
    } catch (const kms::socket::ListenError& error) {
      std::cerr << "kmsd: " << error.what() << '\n';
      return 1;
    } catch (const kms::net::TlsError& error) {
      std::cerr << "kmsd: " << error.what() << '\n';
      return 1;
    }
  }
  server->start();
  std::string socketAddress;
  if (socketServer) {
    socketServer->start();
    socketAddress = fmt::format(" and kmip://{}:{}", urlHost(config.socketServer.hostname), socketServer->port());
  }
  std::cout << fmt::format("kmsd {} listening on {}://{}:{}{} ({})\n", kms::config::kVersion, tls ? "https" : "http",
                           urlHost(config.http.hostname), server->port(), socketAddress, storeDescription)
            << std::flush;

  int received = 0;
  sigwait(&stopSignals, &received);
  logger.information("received %s: stopping", std::string(received == SIGINT ? "SIGINT" : "SIGTERM"));
  if (socketServer) socketServer->stop();
  server->stop();
  if (audit.log) {
    auto event = serverEvent("server.stop");
    event.fields = {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}};
    try {
      audit.log->record(std::move(event));
    } catch (const kms::audit::AuditError& error) {
      logger.error(fmt::format("audit: {}", error.what()));
    }
  }
  logger.information("stopped");
  return 0;
}

int run(int argc, char** argv) {
  // Subcommands come before the configuration flags: `kmsd audit verify` reads no configuration.
  if (argc >= 2 && std::string_view(argv[1]) == "audit") return auditCommand(argc, argv);
  kms::config::LoadedConfig loaded;
  try {
    loaded = kms::config::ConfigLoader::load(argc, argv);
  } catch (const kms::config::ConfigError& error) {
    std::cerr << "kmsd: " << error.what() << '\n';
    return 2;
  }
  if (loaded.helpRequested) {
    std::cout << kms::config::HelpText::render();
    return 0;
  }
  if (loaded.versionRequested) {
    std::cout << "kmsd " << kms::config::kVersion << '\n';
    return 0;
  }

  // Blocked before any thread starts, so that every thread inherits the mask and the signals
  // reach only sigwait() in serve(): no async-signal-safety concerns, a plain ordered stop.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  // A client that hangs up before reading its answer must cost a failed write, not the process.
  std::signal(SIGPIPE, SIG_IGN);

  // Checked before anything starts: an unusable HSM configuration is a configuration error.
  std::vector<kms::hsm::InstanceConfig> hsmInstances;
  try {
    hsmInstances = kms::hsm::HsmConfigBuilder::build(loaded.config);
  } catch (const kms::config::ConfigError& error) {
    std::cerr << "kmsd: " << error.what() << '\n';
    return 2;
  }

  // Before OpenSSL, SQLite or any key touches memory: what it frees is wiped from here on.
  const auto hardeningWarnings = kms::server::ProcessHardening::apply(loaded.config.secureHeapSize);
  setUpLogging(loaded.config.logging.level);
  for (const auto& warning : loaded.warnings) Poco::Logger::get("kmsd").warning(warning);
  for (const auto& warning : hardeningWarnings) Poco::Logger::get("kmsd").warning(warning);

  // OpenSSL and Poco's SSL manager, once per process (TLS server, JWKS over https).
  Poco::Net::initializeSSL();
  try {
    const int code = serve(loaded.config, hsmInstances, stopSignals);
    Poco::Net::uninitializeSSL();
    return code;
  } catch (const std::exception& error) {
    std::cerr << "kmsd: " << error.what() << '\n';
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // What escapes the start (logging set-up, the SSL manager) ends kmsd with its message, never
  // through std::terminate.
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fputs("kmsd: ", stderr);
    std::fputs(error.what(), stderr);
    std::fputs("\n", stderr);
  } catch (...) {
    std::fputs("kmsd: unexpected error\n", stderr);
  }
  return 1;
}
