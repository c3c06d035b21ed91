#include "kms/config/Settings.hpp"

#include <array>
#include <chrono>
#include <cstddef>

#include <fmt/format.h>

#include "kms/config/Assignment.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"
#include "kms/config/ValueParser.hpp"

namespace kms::config {
namespace {

// Bodies are buffered whole before decoding: 1 GiB bounds what one request may pin.
constexpr std::size_t kMaxBodySizeCeiling = std::size_t{1} << 30;

std::string durationText(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// NOLINTNEXTLINE(cert-err58-cpp): only bad_alloc can escape, at start, where it ends kmsd anyway
const std::array kSettings{
    Setting{"http.hostname", "--hostname", "KMS_HOSTNAME", "HOST", ValueKind::Text, false,
            "Address to listen on (without authentication, a non-loopback address serves anyone who reaches it as "
            "the default user, with a warning at start)",
            [](Config& c, std::string_view v, const std::string&) { c.http.hostname = v; },
            [] { return std::string("127.0.0.1 without authentication, 0.0.0.0 with"); }},
    Setting{"http.port", "--port", "KMS_PORT", "PORT", ValueKind::Integer, false, "HTTP port (0 picks a free port)",
            [](Config& c, std::string_view v, const std::string& o) { c.http.port = ValueParser::port(v, o); },
            [] { return std::to_string(HttpConfig{}.port); }},
    Setting{"http.max_body_size", "--max-body-size", "KMS_MAX_BODY_SIZE", "BYTES", ValueKind::IntegerOrText, false,
            "Largest request body accepted (bytes, or with KiB/MiB/GiB)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.maxBodySize = ValueParser::size(v, o, 1, kMaxBodySizeCeiling);
            },
            [] { return std::to_string(HttpConfig{}.maxBodySize); }},
    Setting{
        "http.threads", "--threads", "KMS_THREADS", "N", ValueKind::Integer, false,
        "HTTP worker threads: one per open keep-alive connection (beyond, idle ones are closed)",
        [](Config& c, std::string_view v, const std::string& o) { c.http.threads = ValueParser::count(v, o, 1, 4096); },
        [] { return std::to_string(HttpConfig{}.threads); }},
    Setting{"http.max_queued", "--max-queued", "KMS_MAX_QUEUED", "N", ValueKind::Integer, false,
            "Accepted connections waiting for a free thread",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.maxQueued = ValueParser::count(v, o, 1, 1'000'000);
            },
            [] { return std::to_string(HttpConfig{}.maxQueued); }},
    Setting{"http.request_timeout", "--request-timeout", "KMS_REQUEST_TIMEOUT", "DURATION", ValueKind::IntegerOrText,
            false, "Time a request's head and body may take to arrive, in all (seconds, or 500ms, 20s, 1m)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.requestTimeout = ValueParser::duration(v, o, std::chrono::seconds(1),
                                                            std::chrono::milliseconds(100), std::chrono::hours(1));
            },
            [] { return durationText(HttpConfig{}.requestTimeout); }},
    Setting{"http.max_inflight_memory", "--max-inflight-memory", "KMS_MAX_INFLIGHT_MEMORY", "BYTES",
            ValueKind::IntegerOrText, false,
            "Memory KMIP requests in flight may hold in all (bodies and decoded messages; beyond: 503)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.maxInflightMemory = ValueParser::size(v, o, std::size_t{1} << 20, std::size_t{1} << 40);
            },
            [] { return std::to_string(HttpConfig{}.maxInflightMemory); }},
    Setting{
        "socket_server.socket_server_start", "--socket-server-start", "KMS_SOCKET_SERVER_START", "[true|false]",
        ValueKind::Boolean, false,
        "Serve binary KMIP over TLS (port 5696) beside HTTP; needs [tls] with clients_ca_cert_file (client "
        "certificates are required)",
        [](Config& c, std::string_view v, const std::string& o) { c.socketServer.start = ValueParser::boolean(v, o); },
        [] { return std::string(SocketServerConfig{}.start ? "true" : "false"); }},
    Setting{"socket_server.socket_server_port", "--socket-server-port", "KMS_SOCKET_SERVER_PORT", "PORT",
            ValueKind::Integer, false, "Port of binary KMIP over TLS (0 picks a free port)",
            [](Config& c, std::string_view v, const std::string& o) { c.socketServer.port = ValueParser::port(v, o); },
            [] { return std::to_string(SocketServerConfig{}.port); }},
    Setting{"socket_server.socket_server_hostname", "--socket-server-hostname", "KMS_SOCKET_SERVER_HOSTNAME", "HOST",
            ValueKind::Text, false, "Address the binary KMIP server listens on",
            [](Config& c, std::string_view v, const std::string&) { c.socketServer.hostname = v; },
            [] { return std::string("the HTTP hostname"); }},
    Setting{"socket_server.socket_server_max_message_size", "--socket-server-max-message-size",
            "KMS_SOCKET_SERVER_MAX_MESSAGE_SIZE", "BYTES", ValueKind::IntegerOrText, false,
            "Largest binary KMIP message accepted (bytes, or with KiB/MiB/GiB; checked on its header)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.socketServer.maxMessageSize = ValueParser::size(v, o, 1, kMaxBodySizeCeiling);
            },
            [] { return std::string("max_body_size"); }},
    Setting{"socket_server.socket_server_idle_timeout", "--socket-server-idle-timeout",
            "KMS_SOCKET_SERVER_IDLE_TIMEOUT", "DURATION", ValueKind::IntegerOrText, false,
            "Time a binary KMIP connection may wait between messages (seconds, or 500ms, 20s, 1m)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.socketServer.idleTimeout = ValueParser::duration(
                  v, o, std::chrono::seconds(1), std::chrono::milliseconds(100), std::chrono::hours(24));
            },
            [] { return durationText(SocketServerConfig{}.idleTimeout); }},
    Setting{"db.database_type", "--database-type", "KMS_DATABASE_TYPE", "sqlite|postgresql", ValueKind::Text, false,
            "Database backend",
            [](Config& c, std::string_view v, const std::string& o) { c.db.type = ValueParser::databaseType(v, o); },
            [] { return std::string(databaseTypeName(DbConfig{}.type)); }},
    Setting{"db.database_url", "--database-url", "KMS_DATABASE_URL", "URL", ValueKind::Text, true,
            "PostgreSQL URL (secret: prefer the environment variable)",
            [](Config& c, std::string_view v, const std::string&) { c.db.databaseUrl = v; },
            [] { return std::string("none"); }},
    Setting{"db.sqlite_path", "--sqlite-path", "KMS_SQLITE_PATH", "DIR", ValueKind::Text, false,
            "Directory of the SQLite database (created if missing)",
            [](Config& c, std::string_view v, const std::string&) { c.db.sqlitePath = v; },
            [] { return DbConfig{}.sqlitePath; }},
    Setting{
        "db.database_pool_size", "--database-pool-size", "KMS_DATABASE_POOL_SIZE", "N", ValueKind::Integer, false,
        "PostgreSQL sessions at most",
        [](Config& c, std::string_view v, const std::string& o) { c.db.poolSize = ValueParser::count(v, o, 1, 1024); },
        [] { return std::to_string(DbConfig{}.poolSize); }},
    Setting{"db.database_connect_timeout", "--database-connect-timeout", "KMS_DATABASE_CONNECT_TIMEOUT", "DURATION",
            ValueKind::IntegerOrText, false, "PostgreSQL connection attempt limit (seconds, or 500ms, 2s, 1m)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.db.connectTimeout = ValueParser::duration(v, o, std::chrono::seconds(1), std::chrono::milliseconds(100),
                                                          std::chrono::hours(1));
            },
            [] { return durationText(DbConfig{}.connectTimeout); }},
    Setting{"db.database_statement_timeout", "--database-statement-timeout", "KMS_DATABASE_STATEMENT_TIMEOUT",
            "DURATION", ValueKind::IntegerOrText, false,
            "PostgreSQL statement limit, also the wait for a free session (seconds, or 500ms, 2s, 1m)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.db.statementTimeout = ValueParser::duration(v, o, std::chrono::seconds(1),
                                                            std::chrono::milliseconds(100), std::chrono::hours(1));
            },
            [] { return durationText(DbConfig{}.statementTimeout); }},
    Setting{"db.unwrapped_cache_size", "--unwrapped-cache-size", "KMS_UNWRAPPED_CACHE_SIZE", "N", ValueKind::Integer,
            false, "Unwrapped keys kept in memory at most (least recently used evicted first; 0: none)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.db.unwrappedCacheSize = ValueParser::count(v, o, 0, 10'000'000);
            },
            [] { return std::to_string(DbConfig{}.unwrappedCacheSize); }},
    Setting{"db.unwrapped_cache_max_age", "--unwrapped-cache-max-age", "KMS_UNWRAPPED_CACHE_MAX_AGE", "DURATION",
            ValueKind::IntegerOrText, false, "An unwrapped key unused this long is dropped (minutes, or 30s, 15m, 1h)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.db.unwrappedCacheMaxAge = ValueParser::duration(v, o, std::chrono::minutes(1), std::chrono::seconds(1),
                                                                std::chrono::hours(24 * 365));
            },
            [] { return durationText(DbConfig{}.unwrappedCacheMaxAge); }},
    Setting{"db.unwrapped_cache_max_lifetime", "--unwrapped-cache-max-lifetime", "KMS_UNWRAPPED_CACHE_MAX_LIFETIME",
            "DURATION", ValueKind::IntegerOrText, false,
            "An unwrapped key is dropped this long after its unwrap, used or not (minutes, or 30s, 15m, 1h)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.db.unwrappedCacheMaxLifetime = ValueParser::duration(
                  v, o, std::chrono::minutes(1), std::chrono::seconds(1), std::chrono::hours(24 * 365));
            },
            [] { return durationText(DbConfig{}.unwrappedCacheMaxLifetime); }},
    Setting{"key_encryption_key", "--key-encryption-key", "KMS_KEY_ENCRYPTION_KEY", "HSM_UID", ValueKind::Text, false,
            "HSM key (hsm::...) that wraps every key created or imported without a wrapping key of its own",
            [](Config& c, std::string_view v, const std::string&) { c.keyEncryptionKey = v; },
            [] { return std::string("none"); }},
    Setting{
        "rsa_pkcs1v15_decrypt", "--rsa-pkcs1v15-decrypt", "KMS_RSA_PKCS1V15_DECRYPT", "[true|false]",
        ValueKind::Boolean, false,
        "Allow RSA PKCS#1 v1.5 Decrypt (unsafe: a Bleichenbacher padding oracle; OAEP is not affected)",
        [](Config& c, std::string_view v, const std::string& o) { c.rsaPkcs1v15Decrypt = ValueParser::boolean(v, o); },
        [] { return std::string(Config{}.rsaPkcs1v15Decrypt ? "true" : "false"); }},
    Setting{"secure_heap_size", "--secure-heap-size", "KMS_SECURE_HEAP_SIZE", "BYTES", ValueKind::IntegerOrText, false,
            "Locked memory for the cached keys' bytes (a power of two; rounded up; 0: none)",
            [](Config& c, std::string_view v, const std::string& o) {
              const std::size_t size = ValueParser::size(v, o, 0, std::size_t{1} << 30);
              std::size_t rounded = size == 0 ? 0 : 1;
              while (rounded != 0 && rounded < size) rounded <<= 1;
              c.secureHeapSize = rounded;
            },
            [] { return std::to_string(Config{}.secureHeapSize); }},
    Setting{"default_username", "--default-username", "KMS_DEFAULT_USERNAME", "USER", ValueKind::Text, false,
            "User of every request when no authentication method is configured",
            [](Config& c, std::string_view v, const std::string&) { c.defaultUsername = v; },
            [] { return Config{}.defaultUsername; }},
    Setting{"force_default_username", "--force-default-username", "KMS_FORCE_DEFAULT_USERNAME", "[true|false]",
            ValueKind::Boolean, false,
            "Cosmian's \"authenticate, then act as the default user\": refused with authentication (the default "
            "user applies only without)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.forceDefaultUsername = ValueParser::boolean(v, o);
            },
            [] { return std::string(Config{}.forceDefaultUsername ? "true" : "false"); }},
    Setting{"privileged_users", "--privileged-users", "KMS_PRIVILEGED_USERS", "USER[,USER...]", ValueKind::TextList,
            false, "Only these users may create objects, grant access and manage API tokens (repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.privilegedUsers.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none: everyone may create"); }, [](Config& c) { c.privilegedUsers.clear(); }, ','},
    Setting{"api_token_auth", "--api-token-auth", "KMS_API_TOKEN_AUTH", "[true|false]", ValueKind::Boolean, false,
            "Accept API tokens (Authorization: Bearer kms_...) issued with POST /tokens",
            [](Config& c, std::string_view v, const std::string& o) { c.apiTokenAuth = ValueParser::boolean(v, o); },
            [] { return std::string(Config{}.apiTokenAuth ? "true" : "false"); }},
    Setting{"hsm_status_readers", "--hsm-status-readers", "KMS_HSM_STATUS_READERS", "USER[,USER...]",
            ValueKind::TextList, false,
            "Users who may read GET /hsm/status besides privileged users and HSM admins (\"*\": every "
            "authenticated user; repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.hsmStatusReaders.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.hsmStatusReaders.clear(); }, ','},
    Setting{"metrics_readers", "--metrics-readers", "KMS_METRICS_READERS", "USER[,USER...]", ValueKind::TextList, false,
            "Users who may read GET /metrics besides privileged users and HSM admins (\"*\": every authenticated "
            "user; repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.metricsReaders.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.metricsReaders.clear(); }, ','},
    Setting{"metrics_loopback_unauthenticated", "--metrics-loopback-unauthenticated",
            "KMS_METRICS_LOOPBACK_UNAUTHENTICATED", "[true|false]", ValueKind::Boolean, false,
            "Answer GET /metrics without authentication to clients connecting from a loopback address (a local "
            "scraper; not behind a local reverse proxy)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.metricsLoopbackUnauthenticated = ValueParser::boolean(v, o);
            },
            [] { return std::string(Config{}.metricsLoopbackUnauthenticated ? "true" : "false"); }},
    Setting{"tls.tls_cert_file", "--tls-cert-file", "KMS_TLS_CERT_FILE", "FILE", ValueKind::Text, false,
            "PEM server certificate: serve HTTPS (with --tls-key-file)",
            [](Config& c, std::string_view v, const std::string&) { c.tls.certFile = v; },
            [] { return std::string("none"); }},
    Setting{"tls.tls_key_file", "--tls-key-file", "KMS_TLS_KEY_FILE", "FILE", ValueKind::Text, false,
            "PEM private key of the server certificate",
            [](Config& c, std::string_view v, const std::string&) { c.tls.keyFile = v; },
            [] { return std::string("none"); }},
    Setting{"tls.tls_chain_file", "--tls-chain-file", "KMS_TLS_CHAIN_FILE", "FILE", ValueKind::Text, false,
            "PEM intermediate certificates sent after the server certificate",
            [](Config& c, std::string_view v, const std::string&) { c.tls.chainFile = v; },
            [] { return std::string("none"); }},
    Setting{"tls.tls_p12_file", "--tls-p12-file", "KMS_TLS_P12_FILE", "FILE", ValueKind::Text, false,
            "PKCS#12 server key and certificate chain: serve HTTPS (instead of the PEM files)",
            [](Config& c, std::string_view v, const std::string&) { c.tls.p12File = v; },
            [] { return std::string("none"); }},
    Setting{"tls.tls_p12_password", "--tls-p12-password", "KMS_TLS_P12_PASSWORD", "PASSWORD", ValueKind::Text, true,
            "Password of the PKCS#12 file (secret: prefer the environment variable)",
            [](Config& c, std::string_view v, const std::string&) { c.tls.p12Password = v; },
            [] { return std::string("none"); }},
    Setting{"tls.clients_ca_cert_file", "--clients-ca-cert-file", "KMS_CLIENTS_CA_CERT_FILE", "FILE", ValueKind::Text,
            false, "PEM CA certificates of client certificates: verify them, the certificate names the user",
            [](Config& c, std::string_view v, const std::string&) { c.tls.clientsCaCertFile = v; },
            [] { return std::string("none"); }},
    Setting{"tls.client_cert_user", "--client-cert-user", "KMS_CLIENT_CERT_USER", "cn|email", ValueKind::Text, false,
            "Client certificate field naming the user: subject CN, or the email address",
            [](Config& c, std::string_view v, const std::string& o) {
              c.tls.clientCertUser = ValueParser::clientCertUser(v, o);
            },
            [] { return std::string(clientCertUserName(TlsConfig{}.clientCertUser)); }},
    Setting{"idp_auth.jwt_auth_provider", "--jwt-auth-provider", "KMS_JWT_AUTH_PROVIDER", "ISS,JWKS,AUD",
            ValueKind::TextList, false,
            "OIDC provider whose JWT bearer tokens are accepted (repeatable; space-separated in the "
            "environment; JWKS_URI defaults to ISSUER/.well-known/jwks.json, no AUDIENCE: not checked)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.idp.providers.push_back(ValueParser::jwtProvider(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.idp.providers.clear(); }, ' '},
    Setting{"idp_auth.jwt_user_claim", "--jwt-user-claim", "KMS_JWT_USER_CLAIM", "CLAIM", ValueKind::Text, false,
            "JWT claim naming the user", [](Config& c, std::string_view v, const std::string&) { c.idp.userClaim = v; },
            [] { return IdpConfig{}.userClaim; }},
    Setting{"ms_dke_config.ms_dke_enable", "--ms-dke-enable", "KMS_MS_DKE_ENABLE", "[true|false]", ValueKind::Boolean,
            false,
            "Serve Microsoft Double Key Encryption under /ms_dke (needs a jwt_auth_provider with audience "
            "https://aadrm.com)",
            [](Config& c, std::string_view v, const std::string& o) { c.msDke.enable = ValueParser::boolean(v, o); },
            [] { return std::string(MsDkeConfig{}.enable ? "true" : "false"); }},
    Setting{"ms_dke_config.ms_dke_authorized_emails", "--ms-dke-authorized-emails", "KMS_MS_DKE_AUTHORIZED_EMAILS",
            "EMAIL[,EMAIL...]", ValueKind::TextList, false,
            "DKE decryptions only for these users (email or upn claim, any case; repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.msDke.authorizedEmails.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.msDke.authorizedEmails.clear(); }, ','},
    Setting{"ms_dke_config.ms_dke_authorized_roles", "--ms-dke-authorized-roles", "KMS_MS_DKE_AUTHORIZED_ROLES",
            "ROLE[,ROLE...]", ValueKind::TextList, false,
            "DKE decryptions only for tokens holding one of these roles (\"roles\" claim; repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.msDke.authorizedRoles.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.msDke.authorizedRoles.clear(); }, ','},
    Setting{"ms_dke_config.ms_dke_user", "--ms-dke-user", "KMS_MS_DKE_USER", "USER", ValueKind::Text, false,
            "The user that publishes DKE public keys (GET /ms_dke/{keyName} takes no token, as Microsoft's "
            "reference): grant it getattributes on the RSA private keys and get on their public keys",
            [](Config& c, std::string_view v, const std::string& o) { c.msDke.user = ValueParser::user(v, o); },
            [] { return MsDkeConfig{}.user; }},
    Setting{"ms_dke_service_url", "--ms-dke-service-url", "KMS_MS_DKE_SERVICE_URL", "URL", ValueKind::Text, false,
            "URL DKE clients reach the service at, e.g. https://dke.example.com/ms_dke (key ids are built on it)",
            [](Config& c, std::string_view v, const std::string&) { c.msDke.serviceUrl = v; },
            [] { return std::string("the request's origin + /ms_dke"); }},
    Setting{"kms_public_url", "--kms-public-url", "KMS_PUBLIC_URL", "URL", ValueKind::Text, false,
            "URL clients reach kmsd at, e.g. https://kms.example.com (Google CSE's KACLS URL is this + /google_cse)",
            [](Config& c, std::string_view v, const std::string&) { c.publicUrl = v; },
            [] { return std::string("none"); }},
    Setting{
        "google_cse_config.google_cse_enable", "--google-cse-enable", "KMS_GOOGLE_CSE_ENABLE", "[true|false]",
        ValueKind::Boolean, false,
        "Serve Google Workspace client-side encryption (the KACLS API) under /google_cse (needs kms_public_url "
        "and a jwt_auth_provider for the users' identity provider)",
        [](Config& c, std::string_view v, const std::string& o) { c.googleCse.enable = ValueParser::boolean(v, o); },
        [] { return std::string(GoogleCseConfig{}.enable ? "true" : "false"); }},
    Setting{"google_cse_config.google_cse_key_id", "--google-cse-key-id", "KMS_GOOGLE_CSE_KEY_ID", "UID",
            ValueKind::Text, false,
            "UID of the AES key that wraps Google CSE data keys (an hsm:: key, or a database key wrapped by one); "
            "wrapped keys name the key that wrapped them, so a new UID here keeps older ones readable",
            [](Config& c, std::string_view v, const std::string&) { c.googleCse.keyId = v; },
            [] { return GoogleCseConfig{}.keyId; }},
    Setting{"google_cse_config.google_cse_authorization_issuers", "--google-cse-authorization-issuers",
            "KMS_GOOGLE_CSE_AUTHORIZATION_ISSUERS", "ISSUER[,ISSUER...]", ValueKind::TextList, false,
            "Issuers of Google CSE authorization tokens (repeatable)",
            [](Config& c, std::string_view v, const std::string&) { c.googleCse.authorizationIssuers.emplace_back(v); },
            [] {
              return std::string(
                  "Google's: gsuitecse-tokenissuer-{drive,meet,calendar,gmail}@system.gserviceaccount.com and "
                  "apps-security-cse-kaclscommunication@system.gserviceaccount.com (KACLS migration)");
            },
            [](Config& c) { c.googleCse.authorizationIssuers.clear(); }, ','},
    Setting{
        "google_cse_config.google_cse_authorization_jwks_uri", "--google-cse-authorization-jwks-uri",
        "KMS_GOOGLE_CSE_AUTHORIZATION_JWKS_URI", "URI[,URI...]", ValueKind::TextList, false,
        "JWKS of the authorization token issuers: one for all, or one per issuer in their order (https://, "
        "file:// or a path)",
        [](Config& c, std::string_view v, const std::string&) { c.googleCse.authorizationJwksUris.emplace_back(v); },
        [] { return std::string("https://www.googleapis.com/service_accounts/v1/jwk/ISSUER for each issuer"); },
        [](Config& c) { c.googleCse.authorizationJwksUris.clear(); }, ','},
    Setting{"google_cse_config.google_cse_privileged_users", "--google-cse-privileged-users",
            "KMS_GOOGLE_CSE_PRIVILEGED_USERS", "EMAIL[,EMAIL...]", ValueKind::TextList, false,
            "Who may call the privileged CSE routes (privilegedwrap, privilegedunwrap, privilegedprivatekeydecrypt, "
            "wrapprivatekey), which take no authorization token (repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.googleCse.privilegedUsers.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.googleCse.privilegedUsers.clear(); }, ','},
    Setting{"google_cse_config.google_cse_allowed_domains", "--google-cse-allowed-domains",
            "KMS_GOOGLE_CSE_ALLOWED_DOMAINS", "DOMAIN[,DOMAIN...]", ValueKind::TextList, false,
            "Google CSE perimeter: only callers whose email is in one of these domains (repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.googleCse.allowedDomains.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("any domain"); }, [](Config& c) { c.googleCse.allowedDomains.clear(); }, ','},
    Setting{"google_cse_config.google_cse_blocked_users", "--google-cse-blocked-users", "KMS_GOOGLE_CSE_BLOCKED_USERS",
            "EMAIL[,EMAIL...]", ValueKind::TextList, false,
            "Google CSE perimeter: these users are refused every KACLS call, e.g. Workspace administrators "
            "(repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.googleCse.blockedUsers.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.googleCse.blockedUsers.clear(); }, ','},
    Setting{"google_cse_config.google_cse_allowed_origins", "--google-cse-allowed-origins",
            "KMS_GOOGLE_CSE_ALLOWED_ORIGINS", "ORIGIN[,ORIGIN...]", ValueKind::TextList, false,
            "Browser origins allowed to call the KACLS (CORS; Google's CSE front end calls it from the browser)",
            [](Config& c, std::string_view v, const std::string&) { c.googleCse.allowedOrigins.emplace_back(v); },
            [] { return std::string("https://client-side-encryption.google.com"); },
            [](Config& c) { c.googleCse.allowedOrigins.clear(); }, ','},
    Setting{"vendor_identification", "--vendor-identification", "KMS_VENDOR_IDENTIFICATION", "ID", ValueKind::Text,
            false, "Vendor identification of vendor attributes (tags, ...)",
            [](Config& c, std::string_view v, const std::string&) { c.vendorIdentification = v; },
            [] { return Config{}.vendorIdentification; }},
    Setting{"hsm_model", "--hsm-model", "KMS_HSM_MODEL", "MODEL", ValueKind::Text, false,
            "HSM model of the flat (single) HSM form: softhsm2, utimaco, proteccio, crypt2pay, smartcardhsm "
            "or other",
            [](Config& c, std::string_view v, const std::string&) { c.hsm.flat.model = v; },
            [] { return std::string("none: no HSM"); }},
    Setting{"hsm_admin", "--hsm-admin", "KMS_HSM_ADMIN", "USER[,USER...]", ValueKind::TextList, false,
            "Users who may create keys on the HSM and grant their use (repeatable)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.hsm.flat.admins.push_back(ValueParser::user(v, o));
            },
            [] { return std::string("admin"); }, [](Config& c) { c.hsm.flat.admins.clear(); }, ','},
    Setting{"hsm_slot", "--hsm-slot", "KMS_HSM_SLOT", "N", ValueKind::IntegerList, false,
            "HSM slot to open (repeatable, paired in order with --hsm-password)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.hsm.flat.slots.push_back(ValueParser::slot(v, o));
            },
            [] { return std::string("none"); }, [](Config& c) { c.hsm.flat.slots.clear(); }, ','},
    Setting{"hsm_password", "--hsm-password", "KMS_HSM_PASSWORD", "PIN", ValueKind::TextList, true,
            "PIN of the slot given in the same position (repeatable; \"<NO_LOGIN>\": no login, \"\": NULL PIN; "
            "secret: prefer KMS_HSM_PASSWORD or --hsm-password-file)",
            [](Config& c, std::string_view v, const std::string&) { c.hsm.flat.passwords.emplace_back(v); },
            [] { return std::string("none"); }, [](Config& c) { c.hsm.flat.passwords.clear(); }, '\0'},
    Setting{"hsm_password_file", "--hsm-password-file", "KMS_HSM_PASSWORD_FILE", "FILE", ValueKind::Text, false,
            "File holding the slots' PINs, one per line in slot order (instead of --hsm-password)",
            [](Config& c, std::string_view v, const std::string&) { c.hsm.flat.passwordFile = v; },
            [] { return std::string("none"); }},
    Setting{"hsm_library", "--hsm-library", "KMS_HSM_LIBRARY", "FILE", ValueKind::Text, false,
            "PKCS#11 library of the flat-form HSM",
            [](Config& c, std::string_view v, const std::string&) { c.hsm.flat.library = v; },
            [] { return std::string("the driver's default"); }},
    Setting{"plugins_dir", "--plugins-dir", "KMS_PLUGINS_DIR", "DIR", ValueKind::Text, false,
            "Directory of the HSM driver plugins (libkms_<model>.so)",
            [](Config& c, std::string_view v, const std::string&) { c.hsm.pluginsDir = v; },
            [] { return HsmConfig{}.pluginsDir; }},
    Setting{"aws_xks_config.aws_xks_enable", "--aws-xks-enable", "KMS_AWS_XKS_ENABLE", "[true|false]",
            ValueKind::Boolean, false,
            "Serve the AWS KMS External Key Store proxy API under aws_xks_uri_path_prefix/kms/xks/v1 (SigV4)",
            [](Config& c, std::string_view v, const std::string& o) { c.awsXks.enable = ValueParser::boolean(v, o); },
            [] { return std::string("false"); }},
    Setting{"aws_xks_config.aws_xks_region", "--aws-xks-region", "KMS_AWS_XKS_REGION", "REGION", ValueKind::Text, false,
            "AWS region of the KMS that signs XKS requests (SigV4 credential scope)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.region = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_service", "--aws-xks-service", "KMS_AWS_XKS_SERVICE", "NAME", ValueKind::Text,
            false, "SigV4 service name of XKS requests",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.service = v; },
            [] { return AwsXksConfig{}.service; }},
    Setting{"aws_xks_config.aws_xks_uri_path_prefix", "--aws-xks-uri-path-prefix", "KMS_AWS_XKS_URI_PATH_PREFIX",
            "PATH", ValueKind::Text, false,
            "Path before /kms/xks/v1 (the XksProxyUriPath of the key store without its /kms/xks/v1 end)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.uriPathPrefix = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_sigv4_access_key_id", "--aws-xks-sigv4-access-key-id",
            "KMS_AWS_XKS_SIGV4_ACCESS_KEY_ID", "ID", ValueKind::Text, false,
            "Access key id of the XKS SigV4 credential (AccessKeyId of the key store)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.primary.accessKeyId = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_sigv4_secret_access_key", "--aws-xks-sigv4-secret-access-key",
            "KMS_AWS_XKS_SIGV4_SECRET_ACCESS_KEY", "SECRET", ValueKind::Text, true,
            "Secret access key of the XKS SigV4 credential (secret: prefer the environment variable or "
            "aws_xks_sigv4_secret_access_key_file)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.primary.secretAccessKey = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_sigv4_secret_access_key_file", "--aws-xks-sigv4-secret-access-key-file",
            "KMS_AWS_XKS_SIGV4_SECRET_ACCESS_KEY_FILE", "FILE", ValueKind::Text, false,
            "File holding the secret access key (its first line)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.primary.secretAccessKeyFile = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_sigv4_secondary_access_key_id", "--aws-xks-sigv4-secondary-access-key-id",
            "KMS_AWS_XKS_SIGV4_SECONDARY_ACCESS_KEY_ID", "ID", ValueKind::Text, false,
            "A second SigV4 credential accepted beside the first, for rotation: its access key id",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.secondary.accessKeyId = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_sigv4_secondary_secret_access_key", "--aws-xks-sigv4-secondary-secret-access-key",
            "KMS_AWS_XKS_SIGV4_SECONDARY_SECRET_ACCESS_KEY", "SECRET", ValueKind::Text, true,
            "Secret access key of the second SigV4 credential (secret)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.secondary.secretAccessKey = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_sigv4_secondary_secret_access_key_file",
            "--aws-xks-sigv4-secondary-secret-access-key-file", "KMS_AWS_XKS_SIGV4_SECONDARY_SECRET_ACCESS_KEY_FILE",
            "FILE", ValueKind::Text, false, "File holding the second secret access key (its first line)",
            [](Config& c, std::string_view v, const std::string&) { c.awsXks.secondary.secretAccessKeyFile = v; },
            [] { return std::string("none"); }},
    Setting{"aws_xks_config.aws_xks_user", "--aws-xks-user", "KMS_AWS_XKS_USER", "USER", ValueKind::Text, false,
            "The user XKS calls act as: grant it encrypt, decrypt and getattributes on the keys AWS may use",
            [](Config& c, std::string_view v, const std::string& o) { c.awsXks.user = ValueParser::user(v, o); },
            [] { return AwsXksConfig{}.user; }},
    Setting{"aws_xks_config.aws_xks_health_probe_interval", "--aws-xks-health-probe-interval",
            "KMS_AWS_XKS_HEALTH_PROBE_INTERVAL", "DURATION", ValueKind::IntegerOrText, false,
            "How often the XKS health answer is refreshed from the HSMs' slot probes (seconds, or 500ms, 10s, 1m)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.awsXks.healthProbeInterval = ValueParser::duration(
                  v, o, std::chrono::seconds(1), std::chrono::milliseconds(200), std::chrono::minutes(1));
            },
            [] { return durationText(AwsXksConfig{}.healthProbeInterval); }},
    Setting{"audit.audit_log_file", "--audit-log-file", "KMS_AUDIT_LOG_FILE", "FILE", ValueKind::Text, false,
            "Tamper-evident audit log (JSON lines chained by SHA-256; docs/audit.md); off when unset",
            [](Config& c, std::string_view v, const std::string&) { c.audit.logFile = v; },
            [] { return std::string("none: no audit log"); }},
    Setting{"audit.audit_hmac_key_file", "--audit-hmac-key-file", "KMS_AUDIT_HMAC_KEY_FILE", "FILE", ValueKind::Text,
            false,
            "File holding the audit HMAC-SHA-256 key (64 hex digits or 32 raw bytes): each line carries a mac, so "
            "a rewrite of the whole file is detected by `kmsd audit verify --hmac-key-file`",
            [](Config& c, std::string_view v, const std::string&) { c.audit.hmacKeyFile = v; },
            [] { return std::string("none: lines carry no mac"); }},
    Setting{"audit.audit_flush", "--audit-flush", "KMS_AUDIT_FLUSH", "event|interval", ValueKind::Text, false,
            "event: a request is answered once its audit line is on disk (one fdatasync per batch of lines); "
            "interval: lines are synced every audit_flush_interval, requests never wait",
            [](Config& c, std::string_view v, const std::string& o) {
              if (v == "event") {
                c.audit.flush = AuditFlush::Event;
              } else if (v == "interval") {
                c.audit.flush = AuditFlush::Interval;
              } else {
                throw ConfigError(
                    fmt::format("{}: unknown audit flush policy '{}' (expected event or interval)", o, printable(v)));
              }
            },
            [] { return std::string(auditFlushName(AuditConfig{}.flush)); }},
    Setting{"audit.audit_flush_interval", "--audit-flush-interval", "KMS_AUDIT_FLUSH_INTERVAL", "DURATION",
            ValueKind::IntegerOrText, false,
            "With audit_flush = interval: how often lines are synced (seconds, or 200ms, 1s, 1m)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.audit.flushInterval = ValueParser::duration(v, o, std::chrono::seconds(1),
                                                            std::chrono::milliseconds(10), std::chrono::minutes(10));
            },
            [] { return durationText(AuditConfig{}.flushInterval); }},
    Setting{"audit.audit_rotate_size", "--audit-rotate-size", "KMS_AUDIT_ROTATE_SIZE", "BYTES",
            ValueKind::IntegerOrText, false,
            "Rotate the audit log to FILE.000001, FILE.000002, ... before it grows beyond this size; the chain "
            "continues across files (bytes, or with KiB/MiB/GiB; 0: never)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.audit.rotateSize = ValueParser::size(v, o, 0, std::size_t{1} << 40);
            },
            [] { return std::to_string(AuditConfig{}.rotateSize); }},
    Setting{"audit.audit_syslog", "--audit-syslog", "KMS_AUDIT_SYSLOG", "[true|false]", ValueKind::Boolean, false,
            "Also send each audit line to syslog (facility authpriv; journald collects it): a copy an intruder "
            "cannot rewrite on this machine's disk",
            [](Config& c, std::string_view v, const std::string& o) { c.audit.syslog = ValueParser::boolean(v, o); },
            [] { return std::string(AuditConfig{}.syslog ? "true" : "false"); }},
    Setting{"logging.level", "--log-level", "KMS_LOG_LEVEL", "LEVEL", ValueKind::Text, false,
            "Log level on stderr: error, warning, info or debug (one line per request)",
            [](Config& c, std::string_view v, const std::string& o) { c.logging.level = ValueParser::logLevel(v, o); },
            [] { return std::string(logLevelName(LoggingConfig{}.level)); }},
};

template <typename Field>
const Setting* findBy(Field field, std::string_view value) noexcept {
  for (const auto& setting : kSettings) {
    if (setting.*field == value) return &setting;
  }
  return nullptr;
}

}  // namespace

std::vector<Assignment> splitAssignment(const Setting* setting, const std::string& value, const std::string& origin) {
  const bool list = setting->kind == ValueKind::TextList || setting->kind == ValueKind::IntegerList;
  if (!list || setting->separator == '\0') return {Assignment{setting, value, origin}};
  std::vector<Assignment> out;
  std::string_view rest = value;
  while (!rest.empty()) {
    const auto cut = rest.find(setting->separator);
    std::string_view item = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.push_back(Assignment{setting, std::string(item), origin});
  }
  return out;
}

std::span<const Setting> Settings::all() noexcept {
  return kSettings;
}

const Setting* Settings::byFlag(std::string_view flag) noexcept {
  return findBy(&Setting::flag, flag);
}

const Setting* Settings::byEnv(std::string_view name) noexcept {
  return findBy(&Setting::env, name);
}

const Setting* Settings::byPath(std::string_view path) noexcept {
  return findBy(&Setting::path, path);
}

}  // namespace kms::config
