import ComfyJSON
import ComfyMock
import ComfyTestSupport
import Testing

@Suite("JSON as Python writes it")
struct JSONValueTests {
    @Test(
        "round trip keeps key order, int/float and Python's separators",
        arguments: [
            #"{"b": 1, "a": 1.0, "c": [true, false, null], "d": "\u00e9\n"}"#,
            #"{"nodes": {"10": {"value": 0.0, "max": 1.0}, "2": {"value": 3, "max": 20}}}"#,
            #"{"x": -5, "y": 1e-05, "z": 104857600}"#,
        ])
    func roundTrip(text: String) throws {
        #expect(try JSONValue.parse(text).pythonJSON == text)
    }

    @Test(
        "malformed text throws instead of crashing", arguments: ["", "{", "[1,]", "{\"a\" 1}", "\"\\x\"", "nul", "01x"])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("Python reprs used in validation messages")
    func reprs() throws {
        #expect(JSONValue.array(["a", 1, true, .null]).pythonRepr == "['a', 1, True, None]")
        #expect(JSONValue.double(1).pythonStr == "1.0")
        #expect(JSONValue.string("it's").pythonRepr == #"'it\'s'"#)
    }
}

@Suite("Numbers and nesting a hostile server can send")
struct JSONHostileTests {
    @Test("Python's NaN, Infinity and -Infinity parse as non-finite doubles, in values and in skipped values")
    func nonFinite() throws {
        let value = try JSONValue.parse(#"{"a": NaN, "b": Infinity, "c": -Infinity, "d": [1e400, -1e400]}"#)
        #expect(value["a"]?.doubleValue?.isNaN == true)
        #expect(value["b"]?.doubleValue == .infinity)
        #expect(value["c"]?.doubleValue == -.infinity)
        #expect(value["d"]?[0]?.doubleValue == .infinity)
        var cursor = JSONCursor(Array(#"[NaN, -Infinity, {"x": Infinity}]"#.utf8))
        _ = try cursor.skip()
        try cursor.end()
    }

    @Test("the writer never writes NaN or Infinity unless asked to imitate Python")
    func writerNonFinite() {
        let value = JSONValue.obj(("a", .double(.nan)), ("b", .double(.infinity)), ("c", [.double(-.infinity), 1.5]))
        #expect(value.pythonJSON == #"{"a": null, "b": null, "c": [null, 1.5]}"#)
        #expect(String(decoding: value.pythonJSONBytes, as: UTF8.self) == value.pythonJSON)
        #expect(value.pythonJSON(nonFinite: .python) == #"{"a": NaN, "b": Infinity, "c": [-Infinity, 1.5]}"#)
        #expect(JSONValue.array([.double(.nan), .double(-.infinity)]).pythonRepr == "[nan, -inf]")
    }

    @Test("huge numbers parse without trapping; intValue refuses what does not fit")
    func huge() throws {
        for text in ["1e19", "1e308", "-1e308", "99999999999999999999999", "9223372036854775808", "1e-400"] {
            let value = try JSONValue.parse(text)
            #expect(value.doubleValue != nil, "\(text)")
            #expect(value.intValue == nil || text == "1e-400", "\(text)")
        }
        #expect(try JSONValue.parse("9223372036854775807").intValue == Int.max)
        #expect(try JSONValue.parse("-9223372036854775808").intValue == Int.min)
    }

    @Test("JSON nested 100,000 deep fails cleanly (parse, skip and cursor), 500 deep still parses")
    func deepNesting() throws {
        for open in ["[", #"{"a": "#] {
            let close = open == "[" ? "]" : "}"
            let deep = String(repeating: open, count: 100_000) + String(repeating: close, count: 100_000)
            #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
            var cursor = JSONCursor(Array(deep.utf8))
            #expect(throws: JSONParseError.self) { _ = try cursor.skip() }
            let fine = String(repeating: open, count: 500) + "1" + String(repeating: close, count: 500)
            #expect(try JSONValue.parse(fine).pythonJSON == fine)
        }
        do {
            _ = try JSONValue.parse(String(repeating: "[", count: 100_000))
        } catch {
            #expect(error.message == "Nesting too deep")
        }
    }
}
