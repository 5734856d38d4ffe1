import ComfyJSON
import Foundation

/// Bytes the mock sends where a real server would render something with a GPU.
enum SampleImages {
    /// A real 64-px JPEG latent preview, recorded from ComfyUI 0.3.64 (shared fixtures, binary type 1 frame).
    static let previewJPEG: [UInt8] = {
        let text = base64Lines.joined()
        return Data(base64Encoded: text).map { [UInt8]($0) } ?? []
    }()

    private static let base64Lines = [
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDA",
        "sKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCABA",
        "AEADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhBy",
        "JxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT",
        "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAA",
        "AAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRom",
        "JygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExc",
        "bHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD5Esen41tWHUfSsWx6fjW1YdR9K/r4/EzZsOg+tbVj1/CsWw6D",
        "61tWPX8KfUDasP4a2bHp+NY1h/DWzY9PxoA2rDqPpWzYdB9axrDqPpWzYdB9aAPkyx6fjW1YdR9KxbHp+NbVh1H0pAbNh0H1rasev4Vi2HQfWt",
        "qx6/hT6gbVh/DWzY9PxrGsP4a2bHp+NAG1YdR9K2bDoPrWNYdR9K2bDoPrQB8mWPT8a2rDqPpWLY9PxrasOo+lIDZsOg+tbVj1/CsWw6D61tWP",
        "X8KfUDasP4a2bHp+NY1h/DWzY9PxoA2rDqPpWzYdB9axrDqPpWzYdB9aAPkyx6fjW1YdR9KxbHp+NbVh1H0pAbNh0H1rasev4Vi2HQfWtqx6/h",
        "T6gbVh/DWzY9PxrGsP4a2bHp+NAG1YdR9K2bDoPrWNYdR9K2bDoPrQB//Z",
    ]
}
