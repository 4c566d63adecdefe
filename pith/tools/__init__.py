"""Host-side tools that come with Pith: kernel size check, bench, and later
inject, trace, top, mkfs, fsck.
"""
