#pragma once
// Every CLI command: `args` is argv after the command word. Return value is the process exit code
// (0 ok, 1 runtime failure, 2 usage or config error).
#include <string>
#include <vector>

namespace spec_notify::app {

using arg_list = std::vector<std::string>;

int run_serve(const arg_list& args);
int run_check_config(const arg_list& args);
int run_receive(const arg_list& args);
int run_secret(const arg_list& args);
int run_demo(const arg_list& args);
int run_test(const arg_list& args);    // spec-notify --test SPEC-ID --subscription NAME
int run_list(const arg_list& args);    // spec-notify --list [--failed] ...
int run_replay(const arg_list& args);  // spec-notify --replay ID... | --replay --failed ...
int run_admin(const arg_list& args);   // spec-notify admin
// spec-notify init: `self` is argv[0], so the printed next commands name the binary as it was invoked.
int run_init(const arg_list& args, const std::string& self);

}  // namespace spec_notify::app
