#pragma once
// A webhook body for JSON output (`receive` lines, `--list --json` rows): the parsed JSON with the sender's
// key order kept, or the text itself when it is not JSON. Never throws on bad input.
#include <Poco/Dynamic/Var.h>

#include <string>

namespace spec_notify::app {

Poco::Dynamic::Var json_body(const std::string& body);

}  // namespace spec_notify::app
