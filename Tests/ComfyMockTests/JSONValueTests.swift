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
