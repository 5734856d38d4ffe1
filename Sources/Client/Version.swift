/// Facts about this build of comfytop's client core.
public enum ComfyClientInfo {
    /// The comfytop version.
    public static let version = "0.1.0"
}
