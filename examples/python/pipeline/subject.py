import datajoint as dj

from .lab import Lab, User

schema = dj.Schema("example_subject")


@schema
class Species(dj.Lookup):
    definition = """
    species : varchar(32)
    """
    contents = [("mouse",), ("rat",)]


@schema
class Subject(dj.Manual):
    definition = """
    # Experimental subjects
    subject_id : int32
    ---
    -> Species
    -> Lab
    sex : enum('female', 'male', 'unknown')
    date_of_birth = null : date
    subject_notes = '' : varchar(4000)
    """


@schema
class SubjectCaretaker(dj.Manual):
    definition = """
    -> Subject
    -> User.proj(caretaker='user')
    ---
    since : date
    """
