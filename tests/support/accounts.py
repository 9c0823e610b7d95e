# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's default accounts (``tests/simulator/accounts.json``, docs/dev/LAYOUT.md).

PINs are long and distinctive on purpose: ``no_log`` masks every occurrence of
a secret, so short PINs make output unreadable and leak tests meaningless.
"""

import os

ACCOUNTS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator", "accounts.json")

# credit 2.8950 GBP, 24 messages, ReplyTo 447700912345,csoft.co.uk (the vendor page's example values)
USERNAME = "ANother.123456"
PIN = "Sim7PinQx42Zr9Lk"
# credit 0.5000 GBP, 4 messages, ReplyTo csoft.co.uk
LOW_USERNAME = "Low.account"
LOW_PIN = "LowPin8Hq3Wz5Tn"
