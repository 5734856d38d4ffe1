import ComfyClient
import Testing

@Suite("Path parts")
struct PathPartsTests {
    @Test(
        "folder and last component as NSString splits them, one-character names included (Foundation traps there)",
        arguments: [
            ("x", "", "x"), ("é", "", "é"), ("a/", "", "a"), ("ab", "", "ab"), ("a/b", "a", "b"), ("/x", "/", "x"),
            ("/", "/", "/"), ("", "", ""), ("a//b", "a", "b"), ("sub/dir/x.png", "sub/dir", "x.png"),
        ])
    func split(path: String, folder: String, last: String) {
        #expect(PathParts(path) == PathParts(folder: folder, last: last), "\(path)")
    }
}
