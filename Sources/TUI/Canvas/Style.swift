/// Semantic colour roles: views say what a cell is, themes say how it looks.
public enum Role: String, CaseIterable, Sendable {
    case main, title, dim, border, header, selected, key, message
    case connOK = "conn_ok", connWarn = "conn_warn", connBad = "conn_bad"
    case statePending = "state_pending", stateRunning = "state_running", stateDone = "state_done"
    case stateCached = "state_cached", stateFailed = "state_failed", stateInterrupted = "state_interrupted"
    case progressStart = "progress_start", progressMid = "progress_mid", progressEnd = "progress_end"
    case progressTrack = "progress_track"
    case sourceOwn = "source_own", sourceForeign = "source_foreign", sourceAnonymous = "source_anonymous"
    case msgInfo = "msg_info", msgSuccess = "msg_success", msgWarning = "msg_warning", msgError = "msg_error"
}

/// How one cell looks: a role plus emphasis.
public struct Style: Sendable, Equatable, Hashable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool

    public init(_ role: Role = .main, bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }

    public static let plain = Style()
}
