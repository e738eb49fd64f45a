import datajoint as dj

from . import subject
from .lab import User

schema = dj.Schema("example_acquisition")


@schema
class Session(dj.Manual):
    definition = """
    # A recording session
    -> subject.Subject
    session_idx : int16          # session number for this subject
    ---
    session_start : datetime
    -> [nullable] User.proj(experimenter='user')
    session_notes = '' : varchar(1024)
    """

    class Rig(dj.Part):
        definition = """
        -> master
        rig_name : varchar(16)
        """


@schema
class Recording(dj.Manual):
    definition = """
    -> Session
    recording_idx : int16
    ---
    sampling_rate : float64          # Hz
    duration : float64               # seconds
    raw_path : varchar(255)          # relative to the raw data root
    """
