// A raw TCP connection to the server under test, for what a well-behaved HTTP client never does:
// hold connections open, connect from another loopback address (127.0.0.2...), send a header
// that announces a body and never send the body.
//
// Every read fails the test after a bound (SO_RCVTIMEO), so a server that never answers is a
// failure, not a hang. No method waits for a deadline to pass.
#pragma once

#include <string>

namespace tocsin::test {

class RawConnection {
 public:
  // Connects to 127.0.0.1:`port` from `from` (a loopback address; "" lets the kernel choose).
  // Check connected(): a connection refused by the kernel (backlog full, out of descriptors) is
  // not a test failure in itself.
  RawConnection(int port, const std::string& from = "");
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&& other) noexcept;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `data`; false if the peer has gone.
  bool Send(const std::string& data);
  // Reads one HTTP response (header, then Content-Length bytes of body); "" if the connection
  // closed or was reset before a whole header came, or `timeout_s` passed.
  std::string ReadResponse(int timeout_s = 10);
  // True once the server closed its end (reads EOF or a reset) within `timeout_s`.
  bool ClosedByPeer(int timeout_s = 10);
  void Close();

 private:
  int fd_ = -1;
  std::string pending_;  // read past the last response
};

// The status code of a raw response ("HTTP/1.1 401 ..." -> 401), or 0.
int StatusOf(const std::string& response);

}  // namespace tocsin::test
