#include "app/commands/json_body.hpp"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

namespace spec_notify::app {

Poco::Dynamic::Var json_body(const std::string& body) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // true: keep the sender's key order
    return parser.parse(body);
  } catch (const Poco::Exception&) {
    return body;
  }
}

}  // namespace spec_notify::app
