// fake_smtp: the FakeSmtp relay as a process: a local mail sink for the quickstart and for
// benchmarks against a separate tocsind.
//
//   fake_smtp [--port N] [--user U --password P] [--latency-ms N] [--threads N] [--save DIR]
//             [--print]
//
// Prints "listening PORT" once it accepts connections; with --save, writes each message it
// accepts to DIR/<id>.eml (mode 0600: it holds addresses) and prints "saved DIR/<id>.eml"; with
// --print (the quickstart's demo sink), prints each message's decoded subject and the first
// lines of its plain-text body (never its addresses). Runs
// until SIGTERM or SIGINT, then prints one JSON line of statistics (connections, messages,
// rejected, dropped, auth_failures) and exits 0. Point tocsind at it with
// email.smtp_url = "smtp://127.0.0.1:PORT" and email.starttls = "off".
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "tests/fakes/fake_process.h"
#include "tests/fakes/fake_smtp.h"
#include "tests/support/mime_decode.h"

namespace {

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "fake_smtp: %s\n"
               "usage: fake_smtp [--port N] [--user U --password P] [--latency-ms N]\n"
               "       [--threads N] [--save DIR] [--print]\n",
               why);
  std::exit(2);
}

long Number(const char* text, const char* flag) {
  return tocsin::fake::NumberFlag(text, flag, Usage);
}

// Writes `data` to `path`, readable by its owner only.
bool Save(const std::string& path, const std::string& data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0 && done == data.size();
}

// The subject and the first `lines` lines of the body of `data` (RFC 5322 as BuildEmail writes
// it: quoted-printable or base64 text), each indented, for a person watching the sink.
std::string Summary(const std::string& data, std::size_t lines) {
  using namespace tocsin::test;
  const std::size_t split = data.find("\r\n\r\n");
  std::string body = split == std::string::npos ? std::string() : data.substr(split + 4);
  const std::string encoding = HeaderOf(data, "Content-Transfer-Encoding");
  if (encoding == "quoted-printable") {
    body = DecodeQuotedPrintable(body);
  } else if (encoding == "base64") {
    std::string joined;
    for (char c : body) {
      if (c != '\r' && c != '\n') joined += c;
    }
    body = tocsin::Base64Decode(joined).value_or("<bad base64>");
  }
  std::string out = "email \"" + DecodeHeader(HeaderOf(data, "Subject")) + "\"\n";
  std::size_t shown = 0;
  for (const std::string& line : Lines(body)) {
    if (shown == lines) {
      out += "  ...\n";
      break;
    }
    out += "  " + line + "\n";
    ++shown;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  tocsin::FakeSmtpConfig config;
  long latency_ms = 0;
  std::string save_dir;
  bool print = false;

  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&] { return tocsin::fake::FlagValue(argc, argv, i, Usage); };
    if (arg == "--port") {
      config.port = tocsin::fake::PortFlag(value(), Usage);
    } else if (arg == "--user") {
      config.username = value();
    } else if (arg == "--password") {
      config.password = value();
    } else if (arg == "--latency-ms") {
      latency_ms = Number(value(), "--latency-ms");
    } else if (arg == "--threads") {
      config.threads = static_cast<int>(Number(value(), "--threads"));
      if (config.threads < 1) Usage("bad value for --threads");
    } else if (arg == "--save") {
      save_dir = value();
    } else if (arg == "--print") {
      print = true;
    } else if (arg == "--help" || arg == "-h") {
      Usage("help");
    } else {
      Usage((std::string("unknown argument ") + argv[i]).c_str());
    }
  }
  if (config.username.empty() != config.password.empty()) {
    Usage("--user and --password go together");
  }
  if (!save_dir.empty() || print) {
    config.on_message = [save_dir, print](const tocsin::FakeSmtpMessage& m) {
      if (print) std::printf("%s", Summary(m.data, 8).c_str());
      if (!save_dir.empty()) {
        const std::string path = save_dir + "/" + m.id + ".eml";
        if (Save(path, m.data)) {
          std::printf("saved %s\n", path.c_str());
        } else {
          std::fprintf(stderr, "fake_smtp: cannot write %s\n", path.c_str());
        }
      }
      std::fflush(stdout);
    };
  }

  const sigset_t signals = tocsin::fake::BlockStopSignals();  // before any thread starts

  try {
    tocsin::FakeSmtp fake(config);
    fake.SetLatency(std::chrono::milliseconds(latency_ms));
    std::printf("listening %u\n", static_cast<unsigned>(fake.port()));
    std::fflush(stdout);

    tocsin::fake::WaitForStop(signals);
    fake.Stop();
    std::printf("%s\n", fake.StatsJson().c_str());
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake_smtp: %s\n", e.what());
    return 1;
  }
  return 0;
}
