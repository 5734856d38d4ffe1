public enum ComfyClientInfo { public static let version = "0.1.0" }
