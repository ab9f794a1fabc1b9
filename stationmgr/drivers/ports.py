"""The serial ports of this computer, described the way an installer recognises them."""

from __future__ import annotations


def serial_ports() -> list[dict[str, str]]:
    """Every serial port: device, description, VID:PID, serial number, manufacturer."""
    from serial.tools import list_ports

    rows = []
    for p in sorted(list_ports.comports(), key=lambda p: p.device):
        known_ids = p.vid is not None and p.pid is not None
        rows.append(
            {
                "port": p.device,
                "description": p.description if p.description != "n/a" else "",
                "vid_pid": f"{p.vid:04X}:{p.pid:04X}" if known_ids else "",
                "serial_number": p.serial_number or "",
                "manufacturer": p.manufacturer or "",
            }
        )
    return rows
