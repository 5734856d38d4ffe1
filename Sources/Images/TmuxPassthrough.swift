/// tmux's passthrough envelope: `ESC P tmux; <sequence with every ESC doubled> ESC \`. tmux (3.3+ with
/// `allow-passthrough on`) hands the inner sequence to the outer terminal; without it tmux drops the whole thing.
public enum TmuxPassthrough {
    public static func wrap(_ sequence: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1B, 0x50] + Array("tmux;".utf8)
        out.reserveCapacity(sequence.count + 16)
        for byte in sequence {
            if byte == 0x1B { out.append(0x1B) }
            out.append(byte)
        }
        out += [0x1B, 0x5C]
        return out
    }
}
