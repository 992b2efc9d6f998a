#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <random>

namespace lmm::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    fs::path p = fs::temp_directory_path() /
                 ("lmm_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    if (fs::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path shared_data(const std::string& rel) {
  fs::path p = fs::path(LMM_SHARED_DATA) / rel;
  return fs::exists(p) ? p : fs::path();
}

int run_cli(const std::string& args, std::string* out) {
  std::string cmd = std::string("\"") + LMM_CLI + "\" " + args + " 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return -1;
  std::string text;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) text.append(buf.data(), n);
  int status = ::pclose(f);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot create a socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;  // the kernel picks a free one
  socklen_t len = sizeof a;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot find a free TCP port");
  return ntohs(a.sin_port);
}

std::vector<float> standing_pose() {
  const float xy[kNumJoints][2] = {
      {0, -1.3f},     {0, -1},         {-0.4f, -1},     {-0.8f, -1},    {-1.2f, -1},
      {0.4f, -1},     {0.8f, -1},      {1.2f, -1},      {0, 0},         {-0.2f, 0},
      {-0.2f, 0.9f},  {-0.2f, 1.8f},   {0.2f, 0},       {0.2f, 0.9f},   {0.2f, 1.8f},
      {-0.05f, -1.35f}, {0.05f, -1.35f}, {-0.12f, -1.3f}, {0.12f, -1.3f}, {0.35f, 1.9f},
      {0.42f, 1.88f}, {0.17f, 1.9f},   {-0.35f, 1.9f},  {-0.42f, 1.88f}, {-0.17f, 1.9f}};
  std::vector<float> f(kFrameDim, 1.f);
  for (int j = 0; j < kNumJoints; ++j) {
    f[j * 3] = xy[j][0];
    f[j * 3 + 1] = xy[j][1];
  }
  return f;
}

}  // namespace lmm::test
