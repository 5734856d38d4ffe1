import ComfyJSON
import Foundation
import Testing

@testable import ComfyClient

@Suite("multipart/form-data bodies for uploads")
struct MultipartFormTests {
    @Test("fields then the file, CRLF framed, closed by the final boundary")
    func layout() {
        var form = MultipartForm(boundary: "XyZ")
        form.add(field: "type", "input")
        form.add(field: "subfolder", "")
        form.add(file: "image", filename: "photo.png", contentType: "image/png", bytes: [0, 1, 13, 10, 255])
        let expected: [UInt8] =
            Array(
                ("--XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\ninput\r\n"
                    + "--XyZ\r\nContent-Disposition: form-data; name=\"subfolder\"\r\n\r\n\r\n"
                    + "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n").utf8) + [0, 1, 13, 10, 255]
            + Array("\r\n--XyZ--\r\n".utf8)
        #expect(form.bytes == expected)
        #expect(form.contentType == "multipart/form-data; boundary=XyZ")
    }

    @Test("a file name cannot break out of its header: quotes and line breaks are escaped as browsers do")
    func hostileName() {
        var form = MultipartForm(boundary: "b")
        form.add(file: "image", filename: "a\"b\r\nX-Evil: 1.png", contentType: "image/png", bytes: [])
        let text = String(decoding: form.bytes, as: UTF8.self)
        #expect(text.contains("filename=\"a%22b%0D%0AX-Evil: 1.png\""))
        #expect(!text.contains("\r\nX-Evil"))
    }

    @Test("the input value of an upload: subfolder/name, annotated outside input")
    func inputValue() {
        #expect(ComfyAPI.Uploaded(name: "a.png", subfolder: "", type: "input").inputValue == "a.png")
        #expect(ComfyAPI.Uploaded(name: "a (1).png", subfolder: "refs", type: "input").inputValue == "refs/a (1).png")
        #expect(ComfyAPI.Uploaded(name: "a.png", subfolder: "", type: "temp").inputValue == "a.png [temp]")
    }
}
