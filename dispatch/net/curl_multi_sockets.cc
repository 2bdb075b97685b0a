// CurlMultiClient: the sockets and the timer curl asks for, watched on the client's executor.
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "dispatch/net/curl_multi_internal.h"

namespace tocsin {

namespace asio = boost::asio;
using boost::system::error_code;
using curl_detail::kRead;
using curl_detail::kWrite;
using curl_detail::Multi;

int CurlMultiClient::OpenSocket(int family, int socktype, int protocol) {
  const int fd = ::socket(family, socktype | SOCK_CLOEXEC, protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  if (auto stale = watches_.find(fd); stale != watches_.end()) {
    // Can't happen (curl removes a descriptor before closing it). Let go of the old number
    // before registering the new socket under it, never after: Asio's deregistration would
    // remove the new socket from epoll.
    if (stale->second->descriptor.is_open()) stale->second->descriptor.release();
    watches_.erase(stale);
  }
  auto watch = std::make_shared<Watch>(executor_, fd, /*owned=*/true);
  error_code ec;
  watch->descriptor.assign(fd, ec);
  if (ec) {
    ::close(fd);
    return CURL_SOCKET_BAD;
  }
  watches_.emplace(fd, std::move(watch));
  return fd;
}

int CurlMultiClient::CloseSocket(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end() || !it->second->owned) return ::close(fd);  // not ours; can't happen
  std::shared_ptr<Watch> watch = std::move(it->second);
  watches_.erase(it);
  watch->wanted = 0;
  error_code ec;
  // Cancels its waits; their handlers find the Watch gone (or, if one is running now,
  // find the descriptor closed) and do nothing.
  watch->descriptor.close(ec);
  return ec ? -1 : 0;
}

void CurlMultiClient::WatchSocket(int fd, int what) {
  auto it = watches_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it == watches_.end()) return;
    Watch& watch = *it->second;
    watch.wanted = 0;
    if (watch.owned) {
      // Idle in curl's connection cache: keep the socket, but stop waiting on it so that an
      // idle client holds no outstanding work on the executor.
      error_code ec;
      watch.descriptor.cancel(ec);
    } else {
      // curl closes it next, and its number may come straight back from socket(). Release it
      // now: the Watch itself may outlive this call (held by the running handler), and
      // releasing later would deregister whatever socket then has the number.
      watch.descriptor.release();
      watches_.erase(it);
    }
    return;
  }
  if (it == watches_.end()) {
    // A descriptor curl opened without OpenSocket() (the threaded resolver's wake-up socket):
    // watched until CURL_POLL_REMOVE, never closed by us.
    auto watch = std::make_shared<Watch>(executor_, fd, /*owned=*/false);
    error_code ec;
    watch->descriptor.assign(fd, ec);
    if (ec) return;  // the transfer still ends by its timeout
    it = watches_.emplace(fd, std::move(watch)).first;
  }
  std::shared_ptr<Watch> watch = it->second;
  watch->wanted = what & (kRead | kWrite);
  ArmWait(watch, kRead);
  ArmWait(watch, kWrite);
}

void CurlMultiClient::ArmWait(const std::shared_ptr<Watch>& watch, int direction) {
  if (closing_ || !(watch->wanted & direction) || watch->Pending(direction) ||
      !watch->descriptor.is_open()) {
    return;
  }
  watch->Pending(direction) = true;
  // Asio re-arms epoll (EPOLL_CTL_MOD) when it queues a wait on a descriptor nothing waits on,
  // so readiness that arrived in between, or that a dropped wait consumed, is still reported.
  watch->descriptor.async_wait(
      direction == kRead ? asio::posix::descriptor_base::wait_read
                         : asio::posix::descriptor_base::wait_write,
      [this, weak = std::weak_ptr<Watch>(watch), direction](const error_code& ec) {
        // Watches live only in watches_, so a live Watch means a live client; an expired
        // one means the socket was closed or the client destroyed: `this` may dangle.
        if (std::shared_ptr<Watch> w = weak.lock()) OnSocketReady(w, direction, ec);
      });
}

void CurlMultiClient::OnSocketReady(const std::shared_ptr<Watch>& watch, int direction,
                                    const error_code& ec) {
  watch->Pending(direction) = false;
  if (ec == asio::error::operation_aborted) {
    // Cancelled by CURL_POLL_REMOVE; curl may have asked for the socket again since.
    ArmWait(watch, direction);
    return;
  }
  // A wait curl no longer wants (it switched direction) is dropped; curl asks again if needed.
  if (watch->wanted & direction) {
    int running = 0;
    curl_multi_socket_action(Multi(multi_), watch->fd, ec ? CURL_CSELECT_ERR : direction, &running);
    // On an error curl decides; waiting again could spin on a broken descriptor.
    if (!ec) ArmWait(watch, direction);
  }
  Deliver(CollectFinished(), alive_);
}

void CurlMultiClient::SetTimer(long timeout_ms) {
  if (closing_) return;
  if (timeout_ms < 0) {
    timer_.cancel();
    return;
  }
  // curl forbids calling back into it from this callback: act later, even for 0. "Now" (curl
  // asks for it on every new transfer) is a post, not a timer: re-arming the reactor's timer
  // costs a system call.
  if (timeout_ms == 0) {
    timer_.cancel();
    asio::post(executor_, [this, alive = std::weak_ptr<int>(alive_)] {
      if (!alive.expired()) OnTimer();
    });
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](const error_code& ec) {
    // A wait that completed before being replaced still runs: an early socket_action is
    // harmless (curl only acts on what is due).
    if (ec || alive.expired()) return;
    OnTimer();
  });
}

void CurlMultiClient::OnTimer() {
  int running = 0;
  curl_multi_socket_action(Multi(multi_), CURL_SOCKET_TIMEOUT, 0, &running);
  Deliver(CollectFinished(), alive_);
}

}  // namespace tocsin
