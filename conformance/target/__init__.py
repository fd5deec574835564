"""What a run talks to: ``run.FoundryRun`` (the target: live, cassettes or the embedded emulator it
starts), the one seam every request goes through (``seam``), the gate for requests in flight
(``limits``), credentials (``credentials``) and the official SDK bridged onto the seam (``sdk``,
imported in the background by ``sdk_loader``)."""
