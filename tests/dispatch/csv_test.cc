#include "dispatch/util/csv.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace tocsin {
namespace {

using Fields = std::vector<std::string>;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::vector<CsvRow> Parse(std::string_view text) {
  Result<std::vector<CsvRow>> rows = ParseCsv(text);
  if (!rows.ok()) FAIL("ParseCsv failed: " << rows.error().message);
  return std::move(rows).value();
}

TEST_CASE("ParseCsv reads simple records with line numbers", "[csv]") {
  const std::vector<CsvRow> rows = Parse("name,phone\nAda,07700 900123\nBob,07700 900124\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].line == 1);
  CHECK(rows[0].fields == Fields{"name", "phone"});
  CHECK(rows[1].line == 2);
  CHECK(rows[1].fields == Fields{"Ada", "07700 900123"});
  CHECK(rows[2].line == 3);
  CHECK(rows[2].fields == Fields{"Bob", "07700 900124"});
}

TEST_CASE("ParseCsv keeps empty fields", "[csv]") {
  const std::vector<CsvRow> rows = Parse("a,,c\n,\n,,x\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fields == Fields{"a", "", "c"});
  CHECK(rows[1].fields == Fields{"", ""});
  CHECK(rows[2].fields == Fields{"", "", "x"});
}

TEST_CASE("ParseCsv unquotes quoted fields", "[csv]") {
  const std::vector<CsvRow> rows =
      Parse("\"Lovelace, Ada\",\"say \"\"hi\"\"\",\"\"\n\"\"\"\",plain\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].fields == Fields{"Lovelace, Ada", "say \"hi\"", ""});
  CHECK(rows[1].fields == Fields{"\"", "plain"});
}

TEST_CASE("ParseCsv keeps line breaks inside quotes and counts lines after them", "[csv]") {
  const std::vector<CsvRow> rows =
      Parse("name,notes\nAda,\"line one\nline two\nline three\"\nBob,short\n\nCy,x\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].line == 2);
  CHECK(rows[1].fields == Fields{"Ada", "line one\nline two\nline three"});
  CHECK(rows[2].line == 5);
  CHECK(rows[2].fields == Fields{"Bob", "short"});
  CHECK(rows[3].line == 7);  // after a blank line
  CHECK(rows[3].fields == Fields{"Cy", "x"});
}

TEST_CASE("ParseCsv handles CRLF line ends", "[csv]") {
  const std::vector<CsvRow> rows = Parse("a,b\r\nc,\"d\r\ne\"\r\nf,g\r\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fields == Fields{"a", "b"});
  CHECK(rows[1].line == 2);
  CHECK(rows[1].fields == Fields{"c", "d\r\ne"});
  CHECK(rows[2].line == 4);
  CHECK(rows[2].fields == Fields{"f", "g"});
}

TEST_CASE("ParseCsv skips a UTF-8 BOM", "[csv]") {
  const std::vector<CsvRow> rows = Parse(std::string(kBom) + "name,phone\nAda,1\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].fields == Fields{"name", "phone"});
  CHECK(rows[0].line == 1);
  // A BOM anywhere else is data.
  const std::string bom_b = std::string(kBom) + "b";
  const std::vector<CsvRow> later = Parse("a\n" + bom_b + "\n");
  REQUIRE(later.size() == 2);
  CHECK(later[1].fields == Fields{bom_b});
}

TEST_CASE("ParseCsv accepts a missing final newline", "[csv]") {
  CHECK(Parse("a,b\nc,d").back().fields == Fields{"c", "d"});
  CHECK(Parse("a,b\n\"c\",\"d\"").back().fields == Fields{"c", "d"});
  CHECK(Parse("a,").back().fields == Fields{"a", ""});
  CHECK(Parse("a,b\nc,d").size() == 2);
}

TEST_CASE("ParseCsv skips blank lines", "[csv]") {
  const std::vector<CsvRow> rows = Parse("\n\na,b\n\n  \n\r\nc,d\n\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].line == 3);
  CHECK(rows[1].line == 7);
  CHECK(Parse("").empty());
  CHECK(Parse(kBom).empty());
  CHECK(Parse("\n\r\n").empty());
  // A quoted empty field is a record, not a blank line.
  const std::vector<CsvRow> quoted = Parse("\"\"\n");
  REQUIRE(quoted.size() == 1);
  CHECK(quoted[0].fields == Fields{""});
}

TEST_CASE("ParseCsv tolerates blanks around quoted fields", "[csv]") {
  const std::vector<CsvRow> rows = Parse("\"a\", \"b\" ,c\n");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields == Fields{"a", "b", "c"});
  // Unquoted fields are kept as written.
  CHECK(Parse(" a , b\n")[0].fields == Fields{" a ", " b"});
  // A quote inside an unquoted field is literal.
  CHECK(Parse("5'11\",x\n")[0].fields == Fields{"5'11\"", "x"});
}

TEST_CASE("ParseCsv reports an unterminated quote with its line", "[csv]") {
  Result<std::vector<CsvRow>> rows = ParseCsv("name,notes\nAda,ok\nBob,\"never closed\nCy,x\n");
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().code == ErrorCode::kInvalid);
  CHECK(rows.error().field == "body");
  CHECK(rows.error().message.find("line 3") != std::string::npos);
  CHECK(rows.error().message.find("unterminated") != std::string::npos);
}

TEST_CASE("ParseCsv rejects text after a closing quote", "[csv]") {
  Result<std::vector<CsvRow>> rows = ParseCsv("a,b\n\"one\ntwo\"x,c\n");
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().field == "body");
  CHECK(rows.error().message.find("line 3") != std::string::npos);
  CHECK_FALSE(ParseCsv("\"a\"\"b\"c\n").ok());
}

TEST_CASE("SplitList splits on semicolons and trims", "[csv]") {
  CHECK(SplitList("SE15; SE22;") == Fields{"SE15", "SE22"});
  CHECK(SplitList("SE15") == Fields{"SE15"});
  CHECK(SplitList("  a ;\tb\t; ;;c") == Fields{"a", "b", "c"});
  CHECK(SplitList("a b;c") == Fields{"a b", "c"});
  CHECK(SplitList("").empty());
  CHECK(SplitList(" ; ; ").empty());
}

TEST_CASE("CsvRecord writes what ParseCsv reads back", "[csv]") {
  std::vector<std::string> fields = {"+447700900111", "Amira \"Mimi\", Jr", "", " padded ",
                                     "two\nlines", "SE15;SE22", "\xd8\xa3\xd9\x85\xd9\x8a"};
  auto text = CsvRecord({"a", "b"}) + CsvRecord(fields);
  CHECK(text.substr(0, 5) == "a,b\r\n");
  auto parsed = ParseCsv(text);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[1].fields == fields);
  CHECK(JoinList({"SE15", "SE22"}) == "SE15;SE22");
  CHECK(SplitList(JoinList({"SE15", "SE22"})) == std::vector<std::string>{"SE15", "SE22"});
  CHECK(JoinList({}).empty());
}

TEST_CASE("ParseCsv stops at the record over its limit (issue 9, defect 11)", "[csv]") {
  std::string text = "phone\n";
  for (int i = 0; i < 10; ++i) text += "0770090010" + std::to_string(i) + "\n";
  auto all = ParseCsv(text, 11);
  REQUIRE(all.ok());
  CHECK(all->size() == 11);
  auto over = ParseCsv(text, 5);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == ErrorCode::kTooLarge);
  CHECK(over.error().field == "body");
  // The limit holds for a last record without a line break too.
  auto last = ParseCsv("a\nb\nc", 2);
  REQUIRE_FALSE(last.ok());
  CHECK(last.error().code == ErrorCode::kTooLarge);
  // A structural error before the limit is still reported as such.
  CHECK(ParseCsv("a\n\"b\n", 5).error().code == ErrorCode::kInvalid);
}

}  // namespace
}  // namespace tocsin
