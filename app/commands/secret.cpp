// `spec-notify secret new`: prints a fresh Standard Webhooks secret. Printing it is the command's purpose; it
// is never logged anywhere else.
#include <iostream>
#include <stdexcept>

#include "actors/deliverer/signature.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"

namespace spec_notify::app {
namespace {

const char* const kUsage = "spec-notify secret new";
const char* const kSummary =
    "Prints a fresh secret: \"whsec_\" + base64 of 32 random bytes (OpenSSL RAND_bytes), one line on "
    "stdout.\n"
    "Store it in the environment variable named by a subscription's secret_env; to rotate, put the new "
    "secret\n"
    "first and keep the old one after it (space-separated) until every receiver has switched.";

const std::vector<option_spec> kSpecs = {{"help", false, false, "show this help"}};

}  // namespace

int run_secret(const arg_list& args) {
  parsed_args a;
  std::string err;
  if (!parse_args(args, kSpecs, a, err)) {
    std::cerr << "spec-notify secret: " << err << "\nusage: " << kUsage << "\n";
    return 2;
  }
  if (a.has("help")) {
    print_help(std::cout, kUsage, kSummary, kSpecs);
    return 0;
  }
  if (a.positional.size() != 1 || a.positional.front() != "new") {
    std::cerr << "spec-notify secret: expected 'new'\nusage: " << kUsage << "\n";
    return 2;
  }
  try {
    std::cout << deliverer::new_secret() << "\n" << std::flush;
  } catch (const std::exception& e) {
    std::cerr << "spec-notify secret: " << e.what() << "\n";
    return 1;
  }
  return std::cout ? 0 : 1;
}

}  // namespace spec_notify::app
